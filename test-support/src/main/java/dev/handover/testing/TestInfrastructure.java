package dev.handover.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import dev.handover.events.Topics;
import dev.handover.infra.InfraProcess;

/**
 * The test JVM's one broker and wire server (and, on demand, packaged services running against them): started
 * on first use, shared by every test class, stopped when the JVM exits. Start time and memory of the broker are
 * written to {@code target/infra/infra.properties}.
 */
public final class TestInfrastructure {

    private static final Logger LOG = Logger.getLogger(TestInfrastructure.class);
    static final Path HOME = Path.of("target", "infra");
    private static final Map<String, String> EVERY_SERVICE = new ConcurrentHashMap<>();
    /** The key sealing page tokens in the tests' bridges (public, like every test secret). */
    /** The key sealing page tokens in tests (public, test-only). */
    public static final String TEST_TOKEN_KEY = "dGVzdC1vbmx5LWhhbmRvdmVyLXRva2VuLWtleS0zMiE=";
    private static final int PARTITIONS = 2;

    private static ServiceProcess customerService;

    private TestInfrastructure() {
    }

    /**
     * The running broker and wire server, started if need be: once per test JVM, whichever class loader (test
     * profile) asks first.
     */
    public static SharedInfrastructure infrastructure() {
        synchronized (SharedInfrastructure.class.getName().intern()) {
            if (!SharedInfrastructure.registered()) {
                SharedInfrastructure.register(start());
            }
        }
        return new SharedInfrastructure();
    }

    private static SharedInfrastructure.ControlMBean start() {
        try {
            deleteRecursively(HOME.resolve("data"));
            String topics = String.join(",", Stream.of(Topics.MESSENGER_INBOUND, Topics.MESSENGER_OUTBOUND,
                    Topics.MESSENGER_DELIVERY, Topics.CUSTOMER_EVENTS, Topics.STAFF_TYPING,
                    Topics.STAFF_PRESENCE)
                    .map(t -> t + ":" + PARTITIONS).toList());
            InfraProcess infra = InfraProcess.start(List.of("--data-dir", HOME.resolve("data").toString(), "--kafka", "0",
                    "--mongo", "0", "--mongo-backend", "memory", "--topics", topics), HOME.resolve("infra.log"), 90);
            LOG.infof("Kafka %s and MongoDB wire server %s ready in %d ms, %d MiB resident", infra.kafkaBootstrapServers(),
                    infra.mongoConnectionString(), infra.startupMillis(), infra.residentKib() / 1024);
            record(infra);
            return new SharedInfrastructure.ControlMBean() {
                @Override
                public String getKafka() {
                    return infra.kafkaBootstrapServers();
                }

                @Override
                public String getMongo() {
                    return infra.mongoConnectionString();
                }

                @Override
                public void control(String command) {
                    try {
                        switch (command) {
                            case "stop kafka" -> infra.stopKafka();
                            case "start kafka" -> infra.startKafka();
                            case "stop mongo" -> infra.stopMongo();
                            case "start mongo" -> infra.startMongo();
                            case "record" -> record(infra);
                            default -> throw new IllegalArgumentException(command);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What any packaged service needs to run against a broker and a wire server in a test: their addresses, the
     * test JWT key and issuer, the test key sealing page tokens (a mutable map, for the caller's additions).
     */
    public static Map<String, String> environment(String kafkaBootstrapServers, String mongoConnectionString)
            throws IOException {
        return new HashMap<>(Map.of("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers,
                "MONGODB_URI", mongoConnectionString,
                "JWT_PUBLIC_KEY_LOCATION", ServiceProcess.publicKeyFile().toString(),
                "MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER,
                "MESSENGER_TOKEN_KEY", TEST_TOKEN_KEY));
    }

    /**
     * Adds to the environment of every service started from now on (for example where all of them export their
     * traces), so that replicas started by different tests on the shared infrastructure are configured alike.
     */
    public static void everyService(Map<String, String> env) {
        EVERY_SERVICE.putAll(env);
    }

    /**
     * The environment of customer-service replicas that share nothing with the other tests' ones: the database
     * {@code name} and consumer groups of their own on the shared broker (records already in the topics are read
     * and, for pages unknown there, dropped).
     */
    public static Map<String, String> isolatedCustomerService(String name) {
        return Map.of("QUARKUS_MONGODB_DATABASE", name,
                "MP_MESSAGING_INCOMING_MESSENGER_INBOUND_GROUP_ID", name + "-inbound",
                "MP_MESSAGING_INCOMING_MESSENGER_DELIVERY_GROUP_ID", name + "-delivery",
                "MP_MESSAGING_INCOMING_STAFF_PRESENCE_GROUP_ID", name + "-presence",
                "MP_MESSAGING_INCOMING_WEBHOOK_EVENTS_GROUP_ID", name + "-webhooks",
                "HANDOVER_LIFECYCLE_TICK", "1s");
    }

    /** The packaged customer-service against the shared infrastructure, started once. */
    public static synchronized ServiceProcess customerService() {
        if (customerService == null) {
            // lifecycle rules (leases, timers) checked every second, as tests set them in seconds
            customerService = start("customer-service", Map.of("HANDOVER_LIFECYCLE_TICK", "1s"));
        }
        return customerService;
    }

    /**
     * Starts another instance of a packaged service against the shared infrastructure, with the test JWT key
     * and the given extra environment; the caller closes it.
     */
    public static ServiceProcess start(String module, Map<String, String> extraEnv) {
        return start(module, extraEnv, List.of());
    }

    /** As {@link #start(String, Map)}, with extra JVM options. */
    public static ServiceProcess start(String module, Map<String, String> extraEnv, List<String> jvmOptions) {
        SharedInfrastructure running = infrastructure();
        try {
            Map<String, String> env = environment(running.kafkaBootstrapServers(), running.mongoConnectionString());
            // customer-service connects pages through a bridge; tests that connect pages name theirs
            env.put("MESSENGER_BRIDGE_URL", "http://127.0.0.1:9");
            env.putAll(EVERY_SERVICE);
            env.putAll(extraEnv);
            return ServiceProcess.start(module, env, jvmOptions, HOME.resolve(module + "-" + System.nanoTime() + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the broker's start time and memory (now and at its peak). */
    static void record() {
        if (SharedInfrastructure.registered()) {
            SharedInfrastructure.control("record");
        }
    }

    private static void record(InfraProcess infra) {
        String figures = "startup_ms=" + infra.startupMillis() + "\n"
                + "resident_kib=" + infra.residentKib() + "\n"
                + "peak_resident_kib=" + infra.peakResidentKib() + "\n";
        try {
            Files.writeString(HOME.resolve("infra.properties"), figures);
        } catch (IOException e) {
            LOG.warn("cannot record infrastructure figures", e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
