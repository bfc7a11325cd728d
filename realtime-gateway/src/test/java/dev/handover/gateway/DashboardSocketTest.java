package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.gateway.service.CompanyChannels;
import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Connecting to {@code /api/dashboard/ws}: who may, what they are told, and what bad input gets. */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class DashboardSocketTest {

    @TestHTTPResource("/")
    URL root;

    @Inject
    CompanyChannels channels;

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }

    @Test
    void aValidTokenInTheHeaderOrInTheSubprotocolConnects() {
        try (var header = AgentSocket.connect(ws(), TestTokens.agent("agent-7", "co-1"), null);
                var browser = AgentSocket.connectWithSubprotocol(ws(), TestTokens.agent("agent-8", "co-1"))) {
            JsonNode connected = header.next("connected");
            assertEquals("WebSocket connection established", connected.get("message").asText());
            assertEquals("agent-7", connected.get("user_id").asText());
            assertEquals("agent-8", browser.next("connected").get("user_id").asText());
        }
    }

    @Test
    void noValidTokenNoConnection() {
        for (String token : List.of(TestTokens.expired("a", "co-1"), TestTokens.forged("a", "co-1"), "garbage")) {
            assertThrows(RuntimeException.class, () -> AgentSocket.connect(ws(), token, null), token);
        }
        assertThrows(RuntimeException.class, () -> AgentSocket.connectWithSubprotocol(ws(), TestTokens.expired("a", "co-1")));
    }

    @Test
    void refusalsAtTheUpgradeSayWhy() {
        String viewer = TestTokens.sign("viewer-1", "co-1", "V", "v@example.com", List.of("viewer"), Duration.ofHours(1),
                TestTokens.key());
        upgrade(null).then().statusCode(401).body("error", equalTo("Missing token"));
        upgrade("garbage").then().statusCode(401).body("error", equalTo("Invalid token"));
        upgrade(TestTokens.forged("a", "co-1")).then().statusCode(401).body("error", equalTo("Invalid token"));
        upgrade(TestTokens.expired("a", "co-1")).then().statusCode(401).body("error", equalTo("Token expired"));
        upgrade(viewer).then().statusCode(403).body("error", equalTo("Agents and admins only"));
        given().header("Authorization", "Bearer " + TestTokens.agent("agent-9", "co-1")).get(root + "api/dashboard/ws").then()
                .statusCode(400).body("error", equalTo("Expected a WebSocket upgrade"));
    }

    /** A WebSocket upgrade request, answered with an HTTP status when it is refused. */
    private io.restassured.response.Response upgrade(String token) {
        var request = given().header("Connection", "Upgrade").header("Upgrade", "websocket")
                .header("Sec-WebSocket-Version", "13").header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.get(root + "api/dashboard/ws");
    }

    @Test
    void idleConnectionsArePingedAndBinaryFramesGetAnError() {
        try (var agent = AgentSocket.connect(ws(), TestTokens.agent("agent-6", "co-1"), null)) {
            agent.next("connected");
            // gateway.ping-interval is 1 s in tests
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.pings() >= 2);
            agent.sendBinary(new byte[] { 1, 2, 3 });
            assertEquals("Expected a text frame with a JSON object", agent.next("error").get("error").asText());
            agent.send("{\"type\":\"ping\"}");
            assertTrue(agent.next("pong").has("timestamp"));
        }
    }

    /**
     * A peer that answers no ping (a laptop closed, a network gone: simulated by a client that stops reading, so its
     * pongs never come) is closed once silent past a ping interval and the ping timeout (1 s and 3 s in tests); one
     * that answers keeps its connection however long it stays idle.
     */
    @Test
    void aPeerThatAnswersNoPingIsClosedAndOneThatAnswersStays() {
        try (var live = AgentSocket.connect(ws(), TestTokens.agent("agent-4", "co-ping"), null);
                var dead = AgentSocket.connectAndStall(ws(), TestTokens.agent("agent-5", "co-ping"))) {
            live.next("connected");
            await().atMost(Duration.ofSeconds(5)).until(() -> open("agent-5"));
            await().atMost(Duration.ofSeconds(10)).until(() -> !open("agent-5"));
            dead.resumeReading();
            assertEquals(1001, dead.awaitClose());
            int pings = live.pings();
            await().atMost(Duration.ofSeconds(10)).until(() -> live.pings() >= pings + 5);
            assertTrue(open("agent-4"), "an agent answering every ping was closed");
            live.send("{\"type\":\"ping\"}");
            assertTrue(live.next("pong").has("timestamp"));
        }
    }

    private boolean open(String agent) {
        return channels.sessions().stream().anyMatch(s -> agent.equals(s.agentId()) && !s.closed());
    }

    @Test
    void badFramesGetErrorFramesAndTheConnectionStaysUsable() {
        try (var agent = AgentSocket.connect(ws(), TestTokens.agent("agent-1", "co-1"), null)) {
            agent.next("connected");
            assertError(agent, "{not json", "Invalid JSON");
            assertError(agent, "[1,2]", "Invalid JSON: expected an object");
            assertError(agent, "{\"data\":{}}", "Missing message type");
            assertError(agent, "{\"type\":\"teleport\"}", "Unknown message type: teleport");
            assertError(agent, "{\"type\":\"assign_agent\",\"data\":{\"page_id\":\"p\"}}", "customer_id is required");
            assertError(agent, "{\"type\":\"assign_agent\",\"data\":{\"customer_id\":{\"$gt\":\"\"},\"page_id\":\"p\"}}",
                    "customer_id must be a string");
            assertError(agent, "{\"type\":\"unassign_agent\",\"data\":{\"customer_id\":\"c\"}}", "page_id is required");
            assertError(agent, "{\"type\":\"send_message\",\"customer_id\":\"c\",\"page_id\":\"p\"}", "message is required");
            assertError(agent, "{\"type\":\"get_stopped_customers\",\"data\":{\"limit\":\"ten\"}}",
                    "limit must be a whole number");
            assertError(agent, "{\"type\":\"ping\",\"padding\":\"" + "x".repeat(20_000) + "\"}",
                    "Message too large: the limit is 16384 bytes");
            agent.send("{\"type\":\"ping\"}");
            assertTrue(agent.next("pong").has("timestamp"));
            assertFalse(agent.isClosed());
        }
    }

    @Test
    void aTokenThatExpiresDuringTheSessionEndsIt() {
        Instant expiry = Instant.now().plusSeconds(2);
        String shortLived = TestTokens.sign("agent-2", "co-1", "A", "a@example.com", List.of("agent"),
                Duration.ofSeconds(2), TestTokens.key());
        try (var agent = AgentSocket.connect(ws(), shortLived, null)) {
            agent.next("connected");
            await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiry.plusMillis(200)));
            try {
                agent.send("{\"type\":\"ping\"}");
            } catch (java.util.concurrent.CompletionException closedAlready) {
                // the periodic sweep may have ended the session first; either way it must say why
            }
            assertEquals("Token expired", agent.next("error").get("error").asText());
            assertEquals(1008, agent.awaitClose());
        }
    }

    @Test
    void aFreshTokenOfTheSameAgentKeepsTheConnectionPastTheFirstOnesExpiry() {
        // every token made first (a forged one needs a new RSA key: slow on a busy machine), the short-lived one last
        String otherAgent = TestTokens.agent("agent-5", "co-1");
        String otherCompany = TestTokens.agent("agent-4", "co-2");
        String expired = TestTokens.expired("agent-4", "co-1");
        String forged = TestTokens.forged("agent-4", "co-1");
        String fresh = TestTokens.agent("agent-4", "co-1");
        String shortLived = TestTokens.sign("agent-4", "co-1", "A", "a@example.com", List.of("agent"),
                Duration.ofSeconds(4), TestTokens.key());
        java.util.regex.Matcher exp = java.util.regex.Pattern.compile("\"exp\":(\\d+)").matcher(new String(
                java.util.Base64.getUrlDecoder().decode(shortLived.split("\\.")[1]), java.nio.charset.StandardCharsets.UTF_8));
        assertTrue(exp.find(), "the token has an expiry");
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(exp.group(1)));
        try (var agent = AgentSocket.connect(ws(), shortLived, null)) {
            agent.next("connected");
            assertError(agent, refresh(otherAgent), "The new token belongs to another agent");
            assertError(agent, refresh(otherCompany), "The new token belongs to another agent");
            assertError(agent, refresh(expired), "Token expired");
            assertError(agent, refresh(forged), "Invalid token");
            assertError(agent, "{\"type\":\"refresh_token\",\"data\":{}}", "token is required");
            agent.send(refresh(fresh));
            Instant renewedUntil = Instant.parse(agent.next("token_refreshed").at("/data/expires_at").asText());
            assertTrue(renewedUntil.isAfter(expiry.plusSeconds(60)), renewedUntil.toString());
            // past the first token's expiry and a few expiry sweeps: the same connection still answers
            await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiry.plusSeconds(2)));
            agent.send("{\"type\":\"ping\"}");
            assertTrue(agent.next("pong").has("timestamp"));
            assertFalse(agent.isClosed());
        }
    }

    private static String refresh(String token) {
        return "{\"type\":\"refresh_token\",\"data\":{\"token\":\"" + token + "\"}}";
    }

    @Test
    void aTokenWithoutCompanyIsTurnedAway() {
        String noCompany = TestTokens.sign("agent-3", null, "A", "a@example.com", List.of("agent"), Duration.ofHours(1),
                TestTokens.key());
        try (var agent = AgentSocket.connect(ws(), noCompany, null)) {
            assertEquals("Token has no company_id", agent.next("error").get("error").asText());
            assertEquals(1008, agent.awaitClose());
        }
    }

    private static void assertError(AgentSocket agent, String frame, String error) {
        agent.send(frame);
        assertEquals(error, agent.next("error").get("error").asText(), frame);
    }
}
