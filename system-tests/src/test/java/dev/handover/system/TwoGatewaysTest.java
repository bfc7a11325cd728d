package dev.handover.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.Topics;
import dev.handover.testing.AgentSocket;
import dev.handover.testing.ServiceProcess;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestPages;
import dev.handover.testing.TestTokens;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** Two gateway instances on one broker: each delivers every event to its own agents. */
class TwoGatewaysTest {

    private static ServiceProcess gatewayA;
    private static ServiceProcess gatewayB;
    private static KafkaCompanion kafka;

    @BeforeAll
    static void start() {
        String customerService = TestInfrastructure.customerService().url();
        gatewayA = TestInfrastructure.start("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL", customerService,
                "GATEWAY_INSTANCE", "a-" + UUID.randomUUID()));
        gatewayB = TestInfrastructure.start("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL", customerService,
                "GATEWAY_INSTANCE", "b-" + UUID.randomUUID()));
        kafka = new KafkaCompanion(TestInfrastructure.infrastructure().kafkaBootstrapServers());
    }

    @AfterAll
    static void stop() {
        kafka.close();
        gatewayA.close();
        gatewayB.close();
    }

    @Test
    void agentsOnDifferentInstancesSeeTheSameEventsWithTheSameSeq() {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String page = "page-" + UUID.randomUUID().toString().substring(0, 8);
        TestPages.connected(page, company, "Shop");
        try (var alice = AgentSocket.connect(ws(gatewayA), TestTokens.agent("alice", company), null);
                var bob = AgentSocket.connect(ws(gatewayB), TestTokens.agent("bob", company), null)) {
            alice.next("connected");
            bob.next("connected");
            String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
            var message = new InboundEvent("m-" + customer, InboundKind.MESSAGE, page, customer,
                    Instant.now().truncatedTo(ChronoUnit.MILLIS), "m-" + customer, "A human please", null, null, null,
                    null, null, null, null, null, "Ann", "Lee");
            kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                    Topics.conversationKey(page, customer), new JsonSerializer().serialize("t", message)))
                    .awaitCompletion(Duration.ofSeconds(10));

            JsonNode onA = alice.next("agent_requested");
            JsonNode onB = bob.next("agent_requested");
            assertEquals(customer, onA.at("/data/chat_id").asText());
            assertEquals(onA.get("seq").asLong(), onB.get("seq").asLong());

            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            alice.next("agent_assigned");
            JsonNode seenByBob = bob.next("agent_assignment_changed");
            assertEquals("alice", seenByBob.at("/data/agent_id").asText());
            assertFalse(seenByBob.at("/data/customer/is_assigned_to_me").asBoolean());
            assertTrue(alice.next("agent_assignment_changed").at("/data/customer/is_assigned_to_me").asBoolean());
        }
    }

    @Test
    void staffOnDifferentInstancesSeeEachOthersTyping() {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        try (var console = new SocketIoDriver()) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String agent : java.util.List.of("carla", "dan")) {
                var options = json.createObjectNode();
                options.putObject("auth").put("token", TestTokens.agent(agent, company));
                options.putArray("transports").add("websocket");
                console.connect(agent, (agent.equals("carla") ? gatewayA : gatewayB).url(), options);
                console.next(agent, "connect");
            }
            var typing = new java.util.concurrent.atomic.AtomicBoolean();
            // a new state longer apart than the 300 ms debounce, so that every round is relayed until dan's gateway listens
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(700)).until(() -> {
                boolean now = !typing.get();
                typing.set(now);
                console.emit("carla", "message:typing", json.createObjectNode().put("customerId", "psid-typing")
                        .put("staffId", "carla").put("isTyping", now));
                return console.seen().stream().anyMatch(e -> "dan".equals(e.path("id").asText())
                        && "message:typing:update".equals(e.path("event").asText()));
            });
            JsonNode update = console.next("dan", "message:typing:update").get("args").get(0);
            assertEquals("psid-typing", update.get("customerId").asText());
            assertEquals("carla", update.get("staffId").asText());
            assertTrue(console.seen().stream().noneMatch(e -> "carla".equals(e.path("id").asText())
                    && "message:typing:update".equals(e.path("event").asText())), "nobody is told of their own typing");
        }
    }

    private static String ws(ServiceProcess gateway) {
        return "ws://127.0.0.1:" + gateway.port();
    }
}
