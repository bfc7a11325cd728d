package dev.handover.testing;

import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The test resource of every service: points the service at the {@link TestInfrastructure} (one broker and wire
 * server per test JVM, shared by every test class and profile) and injects a {@link KafkaCompanion} into test
 * fields.
 */
public class InfrastructureResource implements QuarkusTestResourceLifecycleManager {

    /** Init argument: {@code "false"} for a service that has no MongoDB client. */
    public static final String MONGO = "mongo";
    /** Init argument: {@code "customer-service"} also runs the packaged customer-service for the service under test. */
    public static final String WITH = "with";

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
        SharedInfrastructure running = TestInfrastructure.infrastructure();
        companion = new KafkaCompanion(running.kafkaBootstrapServers());
        Map<String, String> config = new HashMap<>();
        config.put("kafka.bootstrap.servers", running.kafkaBootstrapServers());
        if (mongo) {
            config.put("quarkus.mongodb.connection-string", running.mongoConnectionString());
        }
        if (withCustomerService) {
            config.put("gateway.customer-service-url", TestInfrastructure.customerService().url());
        }
        return config;
    }

    /** The running infrastructure, for tests that stop and start the broker or the wire server. */
    public static SharedInfrastructure infrastructure() {
        return TestInfrastructure.infrastructure();
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
        TestInfrastructure.record();
    }
}
