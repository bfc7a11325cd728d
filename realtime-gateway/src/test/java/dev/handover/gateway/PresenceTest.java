package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Presence through both agent protocols against the packaged customer-service: connecting makes an agent
 * online, {@code set_status} / {@code staff:status} makes them away, closing the last connection makes them offline
 * a moment later, and their customers go back to the queue after the company's grace.
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class PresenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    SocketIoDriver driver;
    World world;
    String page;

    @BeforeEach
    void start() {
        driver = new SocketIoDriver();
        world = new World(customerService, companion);
        page = world.page();
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void agentsOnBothProtocolsSeeEachOthersStatusAndAnAbsentAgentsCustomerGoesBackToTheQueue() {
        given().baseUri(customerService).auth().oauth2(TestTokens.admin("boss", world.company)).contentType(ContentType.JSON)
                .body("{\"presence_grace_seconds\":1,\"response_timeout_seconds\":0,\"max_wait_seconds\":0}")
                .put("/api/admin/settings").then().statusCode(200);
        String customer = world.waitingCustomer(page);
        try (var alice = AgentSocket.connect("ws://" + root.getHost() + ":" + root.getPort(), world.token("alice"), null)) {
            alice.next("connected");
            JsonNode aliceOnline = alice.next(f -> status(f, "alice", "online"));
            assertEquals("connected", aliceOnline.at("/data/reason").asText());
            assertEquals("alice@example.com", aliceOnline.at("/data/agent_email").asText());

            // bob on the console: his own status arrives as staff:status, alice sees him come online
            driver.connect("bob", "http://" + root.getHost() + ":" + root.getPort(), auth(world.token("bob")));
            JsonNode bobStatus = arg(driver.next("bob", "staff:status"));
            assertTrue(bobStatus.get("online").asBoolean());
            assertEquals(0, bobStatus.get("activeChats").asInt());
            alice.next(f -> status(f, "bob", "online"));

            alice.send("{\"type\":\"get_agents\"}");
            JsonNode agents = alice.next("agents").at("/data/agents");
            assertEquals("online", find(agents, "alice").get("status").asText());
            assertEquals("online", find(agents, "bob").get("status").asText());
            assertEquals("Agent bob", find(agents, "bob").get("agent_name").asText());
            assertEquals(0, find(agents, "bob").get("active_chats").asInt());

            alice.send("{\"type\":\"set_status\",\"data\":{\"status\":\"away\"}}");
            assertEquals("away", alice.next("status_updated").at("/data/status").asText());
            assertEquals("set_by_agent", alice.next(f -> status(f, "alice", "away")).at("/data/reason").asText());
            alice.send("{\"type\":\"set_status\",\"data\":{\"status\":\"gone fishing\"}}");
            assertEquals("status must be online or away", alice.next("error").get("error").asText());
            alice.send("{\"type\":\"set_status\",\"data\":{}}");
            assertEquals("status is required", alice.next("error").get("error").asText());

            JsonNode away = driver.emitWithAck("bob", "staff:status", payload("status", "away"));
            assertTrue(away.get("ok").asBoolean());
            JsonNode bobAway = arg(driver.next("bob", e -> "staff:status".equals(e.path("event").asText())
                    && "away".equals(arg(e).path("status").asText())));
            assertFalse(bobAway.get("online").asBoolean());
            assertEquals("INVALID_PAYLOAD", driver.emitWithAck("bob", "staff:status", payload("status", "busy"))
                    .at("/error/code").asText());
            assertTrue(driver.emitWithAck("bob", "staff:status", payload("status", "online")).get("ok").asBoolean());

            // bob takes the customer and closes his laptop: offline after the linger, the customer back after the grace
            assertTrue(driver.emitWithAck("bob", "customer:accept", payload("customerId", customer)).get("ok").asBoolean());
            assertEquals(1, arg(driver.next("bob", e -> "staff:status".equals(e.path("event").asText())
                    && arg(e).get("activeChats").asInt() == 1)).get("activeChats").asInt());
            driver.close("bob");
            JsonNode bobOffline = alice.next(f -> status(f, "bob", "offline"));
            assertEquals("disconnected", bobOffline.at("/data/reason").asText());
            assertEquals(1, bobOffline.at("/data/active_chats").asInt());
            JsonNode back = alice.next(f -> "agent_assignment_changed".equals(f.path("type").asText())
                    && "agent_offline".equals(f.at("/data/reason").asText()));
            assertEquals(customer, back.at("/data/customer_id").asText());
            assertEquals("unassigned", back.at("/data/action").asText());
            assertEquals("bob", back.at("/data/agent_id").asText());
            assertEquals(1, back.at("/data/queue_position").asInt());
            assertFalse(back.at("/data/customer/is_assigned").asBoolean());
        }
    }

    private static boolean status(JsonNode frame, String agent, String status) {
        return "agent_status_changed".equals(frame.path("type").asText()) && agent.equals(frame.at("/data/agent_id").asText())
                && status.equals(frame.at("/data/status").asText());
    }

    private static JsonNode find(JsonNode agents, String agentId) {
        for (JsonNode agent : agents) {
            if (agentId.equals(agent.path("agent_id").asText())) {
                return agent;
            }
        }
        throw new AssertionError(agentId + " not in " + agents);
    }

    private static ObjectNode auth(String token) {
        ObjectNode options = SocketIoDriver.overWebSocket(token);
        return options;
    }

    private static ObjectNode payload(String... pairs) {
        ObjectNode node = JSON.createObjectNode();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            node.put(pairs[i], pairs[i + 1]);
        }
        return node;
    }

    private static JsonNode arg(JsonNode event) {
        return event.get("args").get(0);
    }
}
