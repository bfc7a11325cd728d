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
        System.out.printf("benchmark: %s%nmachine: %s %s, %d cores, Java %s%n", benchmark, os.getName(), os.getArch(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    }

    static void printLatencies(String what, Histogram nanos) {
        System.out.printf("%s ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f  (n=%d)%n", what,
                nanos.getValueAtPercentile(50) / 1e6, nanos.getValueAtPercentile(90) / 1e6,
                nanos.getValueAtPercentile(99) / 1e6, nanos.getMaxValue() / 1e6, nanos.getTotalCount());
    }
}
