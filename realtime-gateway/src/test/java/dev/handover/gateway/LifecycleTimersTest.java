package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URL;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * customer-service's timers as agents see them on both protocols, with settings in seconds: a customer whose
 * agent did not answer goes back to the queue ({@code no_response}), one nobody took goes back to the bot
 * ({@code max_wait}).
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class LifecycleTimersTest {

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Test
    void noResponseAndMaxWaitReachBothProtocols() {
        World world = new World(customerService, companion);
        given().baseUri(customerService).auth().oauth2(TestTokens.admin("boss", world.company)).contentType(ContentType.JSON)
                .body("{\"response_timeout_seconds\":2,\"max_wait_seconds\":8,\"max_wait_message\":\"Back to the bot\"}")
                .put("/api/admin/settings").then().statusCode(200);
        String page = world.page();
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null); var driver = new SocketIoDriver()) {
            alice.next("connected");
            ObjectNode options = SocketIoDriver.overWebSocket(world.token("bob"));
            driver.connect("bob", "http://" + root.getHost() + ":" + root.getPort(), options);
            driver.next("bob", "connect");

            String ignored = world.waitingCustomer(page);
            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + ignored + "\",\"page_id\":\"" + page + "\"}}");
            alice.next(f -> "agent_assigned".equals(f.path("type").asText()) && !f.has("seq"));
            world.customerWrites(page, ignored, "Hello? Anyone there?");
            JsonNode released = alice.next(f -> "agent_assignment_changed".equals(f.path("type").asText())
                    && ignored.equals(f.at("/data/customer_id").asText()) && "no_response".equals(f.at("/data/reason").asText()));
            assertEquals("unassigned", released.at("/data/action").asText());
            assertEquals(1, released.at("/data/queue_position").asInt());
            JsonNode update = driver.next("bob", e -> "customer:update".equals(e.path("event").asText())
                    && ignored.equals(e.at("/args/0/customerId").asText()) && "no_response".equals(e.at("/args/0/reason").asText()));
            assertEquals(1, update.at("/args/0/updates/queuePosition").asInt());

            // now back in the queue and nobody takes them: after the maximum wait, back to the bot
            JsonNode toBot = alice.next(f -> "customer_stop_status_changed".equals(f.path("type").asText())
                    && ignored.equals(f.at("/data/customer/customer_id").asText()) && "max_wait".equals(f.at("/data/reason").asText()));
            assertFalse(toBot.at("/data/stop").asBoolean());
            JsonNode backToBot = driver.next("bob", e -> "customer:update".equals(e.path("event").asText())
                    && ignored.equals(e.at("/args/0/customerId").asText()) && "max_wait".equals(e.at("/args/0/reason").asText()));
            assertFalse(backToBot.at("/args/0/updates/needsSupport").asBoolean());
            alice.next(f -> "new_message".equals(f.path("type").asText()) && ignored.equals(f.at("/data/chat_id").asText())
                    && "Back to the bot".equals(f.at("/data/message").asText()));
        }
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
