package dev.handover.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Heap per idle authenticated connection: live heap of the serving JVM (a full GC through
 * {@code jcmd GC.class_histogram}) before and after opening N agent connections that each are ready (said
 * {@code connected}, or answered the Socket.IO CONNECT with a token). Measured for the JSON WebSocket, for
 * Socket.IO over a WebSocket, and for the raw Vert.x broadcaster (its own JVM: the least a connection costs on
 * Vert.x), for each size, {@code --reps} times.
 *
 * <pre>
 * Bench heap --pid GATEWAY_PID --private-key KEY.pem [--gateway ws://127.0.0.1:8080] [--sizes 10000]
 *            [--protocols json,socketio,raw] [--companies 100] [--reps 3] [--top 12]
 * </pre>
 */
final class IdleConnectionsBench {

    private static final String TOTAL = "<total>";

    private final Bench bench;
    private final Map<String, String> opts;

    IdleConnectionsBench(Bench bench, Map<String, String> opts) {
        this.bench = bench;
        this.opts = opts;
    }

    void run() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String size : opts.getOrDefault("sizes", opts.getOrDefault("connections", "10000")).split(",")) {
            sizes.add(Integer.parseInt(size.trim()));
        }
        List<String> protocols = List.of(opts.getOrDefault("protocols", "json,socketio,raw").split(","));
        int companies = Integer.parseInt(opts.getOrDefault("companies", "100"));
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        int top = Integer.parseInt(opts.getOrDefault("top", "12"));
        long gateway = Long.parseLong(opts.get("pid"));
        Options.printMachine("heap per idle connection");
        System.out.printf("settings: sizes=%s protocols=%s companies=%d repetitions=%d gateway pid=%d%n", sizes, protocols,
                companies, reps, gateway);
        Process raw = protocols.contains("raw") ? bench.startRawBroadcaster() : null;
        Map<String, List<Double>> results = new LinkedHashMap<>();
        try {
            for (int size : sizes) {
                for (String protocol : protocols) {
                    for (int rep = 1; rep <= reps; rep++) {
                        long pid = protocol.equals("raw") ? raw.pid() : gateway;
                        double perConnection = measure(protocol, size, companies, pid, rep == reps ? top : 0);
                        results.computeIfAbsent(protocol + " at " + size, k -> new ArrayList<>()).add(perConnection);
                        System.out.printf("run %d %-8s %6d connections: %.1f KiB per idle connection%n", rep, protocol, size,
                                perConnection);
                    }
                }
            }
        } finally {
            if (raw != null) {
                raw.destroyForcibly();
            }
        }
        System.out.println("summary, KiB of heap per idle connection (min / median / max over the runs):");
        results.forEach((what, runs) -> System.out.printf("  %-22s %s%s%n", what, Options.spread(runs, "%.1f"),
                what.startsWith("raw") ? "" : " (goal <= 8.0)"));
    }

    /** KiB of live heap per connection of one run; prints where it goes when {@code top} > 0. */
    private double measure(String protocol, int size, int companies, long pid, int top) throws Exception {
        Agents.Protocol kind = switch (protocol) {
            case "json" -> Agents.Protocol.JSON;
            case "socketio" -> Agents.Protocol.SOCKET_IO;
            case "raw" -> Agents.Protocol.RAW;
            default -> throw new IllegalArgumentException("unknown protocol " + protocol);
        };
        String url = protocol.equals("raw") ? "ws://127.0.0.1:" + opts.getOrDefault("raw-port", "8095")
                : opts.getOrDefault("gateway", "ws://127.0.0.1:8080");
        Map<String, Long> before = settled(pid);
        long started = System.nanoTime();
        try (Agents agents = Agents.connect(kind, url, bench.key(), size, i -> "idle-" + protocol + "-" + (i % companies),
                (agent, frame) -> {
                })) {
            double seconds = (System.nanoTime() - started) / 1e9;
            Map<String, Long> after = histogram(pid);
            double perConnection = (after.get(TOTAL) - before.get(TOTAL)) / 1024.0 / size;
            if (top > 0) {
                System.out.printf("%s: connected %d in %.1f s; live heap before %.1f MiB, with the connections %.1f MiB%n",
                        protocol, size, seconds, before.get(TOTAL) / 1048576.0, after.get(TOTAL) / 1048576.0);
                System.out.println("where it goes (bytes per connection, by class):");
                after.entrySet().stream().filter(e -> !e.getKey().equals(TOTAL))
                        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                        .forEach(e -> System.out.printf("  %8.0f  %s%n", e.getValue() / (double) size, e.getKey()));
            }
            return perConnection;
        }
    }

    /**
     * The live heap once it stopped moving: the previous run's connections closed and their departures broadcast
     * (each one an event kept for replay), so none of it counts against the next run.
     */
    private static Map<String, Long> settled(long pid) throws IOException, InterruptedException {
        Map<String, Long> last = histogram(pid);
        for (int i = 0; i < 30; i++) {
            Thread.sleep(2000);
            Map<String, Long> now = histogram(pid);
            if (Math.abs(now.get(TOTAL) - last.get(TOTAL)) < last.get(TOTAL) / 200) {
                return now;
            }
            last = now;
        }
        return last;
    }

    /** Live bytes by class after a full collection, and their total under {@link #TOTAL}. */
    static Map<String, Long> histogram(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        Map<String, Long> bytes = new HashMap<>();
        for (String line : output.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[0].equals("Total")) {
                bytes.put(TOTAL, Long.parseLong(parts[2]));
            } else if (parts.length >= 4 && parts[0].endsWith(":")) {
                bytes.put(parts[3], Long.parseLong(parts[2]));
            }
        }
        if (!bytes.containsKey(TOTAL)) {
            throw new IllegalStateException("no histogram total from jcmd: " + output);
        }
        return bytes;
    }
}
