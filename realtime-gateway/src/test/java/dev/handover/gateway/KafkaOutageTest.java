package dev.handover.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.SocketIoDriver;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * While Kafka is down, both agent protocols keep answering at their usual speed: lists, sends (customer-service
 * keeps them in its outbox), histories, typing and status changes (whose Kafka records wait in the producers) are
 * answered without waiting for the broker.
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class KafkaOutageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Test
    void bothProtocolsAnswerAsUsualWhileKafkaIsDown() {
        World world = new World(customerService, companion);
        String page = world.page();
        String customer = world.waitingCustomer(page);
        List<Long> waits = new ArrayList<>();
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null); var driver = new SocketIoDriver()) {
            alice.next("connected");
            ObjectNode options = SocketIoDriver.overWebSocket(world.token("bob"));
            driver.connect("bob", "http://" + root.getHost() + ":" + root.getPort(), options);
            driver.next("bob", "connect");
            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            alice.next(f -> "agent_assigned".equals(f.path("type").asText()) && !f.has("seq"));

            InfrastructureResource.infrastructure().stopKafka();
            try {
                for (int i = 0; i < 3; i++) {
                    int n = i;
                    timed(waits, () -> {
                        alice.send("{\"type\":\"get_stopped_customers\",\"data\":{}}");
                        return alice.next("stopped_customers");
                    });
                    JsonNode sent = timed(waits, () -> {
                        alice.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                                + "\",\"message\":\"during the outage " + n + "\"}");
                        return alice.next(f -> "message_sent".equals(f.path("type").asText()) || "error".equals(
                                f.path("type").asText()) && !f.has("seq"));
                    });
                    assertEquals("message_sent", sent.path("type").asText(), sent.toString());
                    JsonNode history = timed(waits, () -> driver.emitWithAck("bob", "customer:history",
                            JSON.createObjectNode().put("customerId", customer)));
                    assertEquals(customer, history.get("customerId").asText());
                    JsonNode typing = timed(waits, () -> driver.emitWithAck("bob", "message:typing", JSON.createObjectNode()
                            .put("customerId", customer).put("staffId", "bob").put("isTyping", n % 2 == 0)));
                    assertTrue(typing.path("ok").asBoolean(), typing.toString());
                    JsonNode status = timed(waits, () -> driver.emitWithAck("bob", "staff:status",
                            JSON.createObjectNode().put("status", n % 2 == 0 ? "away" : "online")));
                    assertTrue(status.path("ok").asBoolean(), status.toString());
                }
            } finally {
                InfrastructureResource.infrastructure().startKafka();
            }
        }
        List<Long> sorted = new ArrayList<>(waits);
        sorted.sort(null);
        System.out.printf("answers while Kafka was down (lists, sends, histories, typing, status): median %d ms, max %d ms "
                + "of %d%n", sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), sorted.size());
        // waiting for Kafka would hold most answers 2 s or more; one slow answer on a busy machine is no such wait
        assertTrue(sorted.get(sorted.size() * 9 / 10) < 2_000, "answers took " + sorted + " ms");
        assertTrue(sorted.get(sorted.size() - 1) < 5_000, "an answer took " + sorted.get(sorted.size() - 1) + " ms");
    }

    private static <T> T timed(List<Long> waits, Supplier<T> request) {
        long start = System.nanoTime();
        T answer = request.get();
        waits.add((System.nanoTime() - start) / 1_000_000);
        return answer;
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
