package dev.handover.system;

import static io.restassured.RestAssured.given;
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
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
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
        given().baseUri(TestInfrastructure.customerService().url()).auth().oauth2(TestTokens.admin("admin", company))
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + page + "\",\"page_name\":\"Shop\"}")
                .post("/api/admin/pages").then().statusCode(201);
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

    private static String ws(ServiceProcess gateway) {
        return "ws://127.0.0.1:" + gateway.port();
    }
}
