package dev.handover.infra;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.handover.infra.store.DurableH2Backend;

/**
 * Command-line options of {@link InfraLauncher}; a {@code null} port leaves that server off. {@code mongoCacheMb} is
 * the store file's page cache ({@link DurableH2Backend#DEFAULT_PAGE_CACHE_MB} unless {@code --mongo-cache-mb}).
 */
record InfraOptions(Path dataDir, Integer kafkaPort, Integer mongoPort, String mongoBackend, int mongoCacheMb,
        Map<String, Integer> topics, boolean watchStdin) {

    static InfraOptions parse(String[] args) {
        Path dataDir = null;
        Integer kafkaPort = null;
        Integer mongoPort = null;
        String backend = "memory";
        int cacheMb = DurableH2Backend.DEFAULT_PAGE_CACHE_MB;
        Map<String, Integer> topics = new LinkedHashMap<>();
        boolean watchStdin = true;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, arg));
                case "--kafka" -> kafkaPort = port(value(args, ++i, arg));
                case "--mongo" -> mongoPort = port(value(args, ++i, arg));
                case "--mongo-backend" -> backend = value(args, ++i, arg);
                case "--mongo-cache-mb" -> cacheMb = cacheMb(value(args, ++i, arg));
                case "--topics" -> topics.putAll(topics(value(args, ++i, arg)));
                case "--no-stdin-watch" -> watchStdin = false;
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("--data-dir is required");
        }
        if (!backend.equals("memory") && !backend.equals("h2")) {
            throw new IllegalArgumentException("--mongo-backend must be memory or h2, not " + backend);
        }
        if (kafkaPort == null && mongoPort == null) {
            throw new IllegalArgumentException("nothing to start: give --kafka and/or --mongo");
        }
        return new InfraOptions(dataDir, kafkaPort, mongoPort, backend, cacheMb, topics, watchStdin);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("not a port: " + text);
    }

    private static int cacheMb(String text) {
        try {
            int mb = Integer.parseInt(text);
            if (mb >= 1) {
                return mb;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--mongo-cache-mb is a number of MiB, at least 1, not " + text);
    }

    private static Map<String, Integer> topics(String spec) {
        Map<String, Integer> topics = new LinkedHashMap<>();
        for (String item : spec.split(",")) {
            String[] parts = item.trim().split(":");
            if (parts.length != 2 || parts[0].isBlank()) {
                throw new IllegalArgumentException("topics are name:partitions, not " + item);
            }
            topics.put(parts[0], Integer.parseInt(parts[1]));
        }
        return topics;
    }
}
