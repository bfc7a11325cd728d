package dev.handover.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

import dev.handover.events.Topics;
import dev.handover.infra.InfraProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The test resource of every service: a real Kafka broker (KRaft) and a MongoDB wire server, started once
 * per test JVM and shared by every test class and profile, stopped when the JVM exits. Test classes get a
 * {@link KafkaCompanion} field injected. Start time and memory of the broker are written to
 * {@code target/infra/infra.properties}.
 */
public class InfrastructureResource implements QuarkusTestResourceLifecycleManager {

    private static final Logger LOG = Logger.getLogger(InfrastructureResource.class);
    private static final Path HOME = Path.of("target", "infra");
    private static final int PARTITIONS = 2;

    private static InfraProcess infra;

    /** Init argument: {@code "false"} for a service that has no MongoDB client. */
    public static final String MONGO = "mongo";
    /** Init argument: {@code "customer-service"} also runs the packaged customer-service for the service under test. */
    public static final String WITH = "with";

    private static ServiceProcess customerService;

    private KafkaCompanion companion;
    private boolean mongo = true;
    private boolean withCustomerService;

    @Override
    public void init(Map<String, String> initArgs) {
        mongo = !"false".equals(initArgs.get(MONGO));
        withCustomerService = "customer-service".equals(initArgs.get(WITH));
    }

    @Override
    public Map<String, String> start() {
        InfraProcess running = shared();
        companion = new KafkaCompanion(running.kafkaBootstrapServers());
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", running.kafkaBootstrapServers());
        if (mongo) {
            config.put("quarkus.mongodb.connection-string", running.mongoConnectionString());
        }
        if (withCustomerService) {
            config.put("gateway.customer-service-url", customerService(running).url());
        }
        return config;
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(companion, new TestInjector.MatchesType(KafkaCompanion.class));
    }

    @Override
    public void stop() {
        if (companion != null) {
            companion.close();
            companion = null;
        }
        record(infra);
    }

    /** The running infrastructure, for tests that stop and start the broker. */
    public static synchronized InfraProcess infrastructure() {
        if (infra == null) {
            throw new IllegalStateException("no test has started the infrastructure yet");
        }
        return infra;
    }

    /** The packaged customer-service running against the shared infrastructure, once per test JVM. */
    public static synchronized ServiceProcess customerService(InfraProcess running) {
        if (customerService == null) {
            try {
                customerService = ServiceProcess.start("customer-service", Map.of(
                        "KAFKA_BOOTSTRAP_SERVERS", running.kafkaBootstrapServers(),
                        "MONGODB_URI", running.mongoConnectionString(),
                        "JWT_PUBLIC_KEY_LOCATION", ServiceProcess.publicKeyFile().toString(),
                        "MP_JWT_VERIFY_ISSUER", TestTokens.ISSUER), HOME.resolve("customer-service.log"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return customerService;
    }

    private static synchronized InfraProcess shared() {
        if (infra == null) {
            try {
                deleteRecursively(HOME.resolve("data"));
                String topics = String.join(",", Stream.of(Topics.MESSENGER_INBOUND, Topics.MESSENGER_OUTBOUND,
                        Topics.MESSENGER_DELIVERY, Topics.CUSTOMER_EVENTS).map(t -> t + ":" + PARTITIONS).toList());
                infra = InfraProcess.start(List.of("--data-dir", HOME.resolve("data").toString(), "--kafka", "0",
                        "--mongo", "0", "--mongo-backend", "memory", "--topics", topics),
                        HOME.resolve("infra.log"), 90);
                LOG.infof("Kafka %s and MongoDB wire server %s ready in %d ms, %d MiB resident",
                        infra.kafkaBootstrapServers(), infra.mongoConnectionString(), infra.startupMillis(),
                        infra.residentKib() / 1024);
                record(infra);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return infra;
    }

    private static void record(InfraProcess process) {
        if (process == null) {
            return;
        }
        String figures = "startup_ms=" + process.startupMillis() + "\n"
                + "resident_kib=" + process.residentKib() + "\n"
                + "peak_resident_kib=" + process.peakResidentKib() + "\n";
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
