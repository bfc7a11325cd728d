package dev.handover.bench;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

import org.HdrHistogram.Histogram;

/** Command-line options and the lines every benchmark prints the same way. */
final class Options {

    private Options() {
    }

    /** {@code --name value} pairs. */
    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --option, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    static void printMachine(String benchmark) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        System.out.printf("benchmark: %s%nmachine: %s %s, %d cores, Java %s%ntaken: %s at commit %s%n", benchmark, os.getName(),
                os.getArch(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), commit());
    }

    /** The checked-out commit the figures belong to ({@code +dirty} with uncommitted changes). */
    static String commit() {
        try {
            Process git = new ProcessBuilder("git", "describe", "--always", "--dirty=+dirty").redirectErrorStream(true).start();
            String out = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** CPU time a process used so far, in clock ticks (1/100 s), from {@code /proc}; 0 when unknown. */
    static long cpuTicks(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (Exception e) {
            return 0;
        }
    }

    /** One figure over the runs: min / median / max. */
    static String spread(java.util.List<Double> values, String format) {
        java.util.List<Double> sorted = values.stream().sorted().toList();
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        return String.format(format + " / " + format + " / " + format, sorted.get(0), median, sorted.get(sorted.size() - 1));
    }

    static void printLatencies(String what, Histogram nanos) {
        System.out.printf("%s ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%d)%n", what,
                nanos.getValueAtPercentile(50) / 1e6, nanos.getValueAtPercentile(90) / 1e6,
                nanos.getValueAtPercentile(99) / 1e6, nanos.getMaxValue() / 1e6, nanos.getTotalCount());
    }
}
