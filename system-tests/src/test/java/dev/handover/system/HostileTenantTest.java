package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/**
 * A second company tries every way in to ours, against the packaged services: claiming our page with no
 * token, a made-up token, a token of its own page and our stolen token; every REST route, WebSocket command
 * and Socket.IO event with our ids; forged tokens of each kind on every service and protocol. It must reach
 * nothing, change nothing, and learn nothing it could not know. (The flood is {@code ConnectionLimitsTest};
 * outbound records naming a foreign page are {@code PageConnectionTest}.)
 */
class HostileTenantTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OURS = "6" + (System.nanoTime() % 1_000_000_000L);
    private static final String THEIRS = "5" + (System.nanoTime() % 1_000_000_000L);
    private static final String OUR_TOKEN = "our-token-" + UUID.randomUUID();
    private static final String THEIR_TOKEN = "their-token-" + UUID.randomUUID();
    private static final String US = "us-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String THEM = "them-" + UUID.randomUUID().toString().substring(0, 8);

    private static MessengerStack stack;

    @BeforeAll
    static void start() {
        stack = MessengerStack.shared();
        stack.pageToken(OURS, OUR_TOKEN, "Our Shop");
        stack.pageToken(THEIRS, THEIR_TOKEN, "Their Shop");
        stack.facebook.stubFor(get(urlPathMatching("/v25.0/hostile-psid-.*")).willReturn(okJson("{\"first_name\":\"Ana\",\"last_name\":\"Lima\"}")));
        connect(US, OURS, OUR_TOKEN).then().statusCode(201);
        connect(THEM, THEIRS, THEIR_TOKEN).then().statusCode(201);
    }

    @Test
    void ourPageCannotBeClaimedWithoutProofNorWithProofOnceItIsOurs() {
        connect(THEM, OURS, null).then().statusCode(400).body("error", org.hamcrest.Matchers.equalTo("page_access_token is required"));
        connect(THEM, OURS, "made-up-token").then().statusCode(422);
        connect(THEM, OURS, THEIR_TOKEN).then().statusCode(422)
                .body("error", org.hamcrest.Matchers.equalTo("The page access token does not belong to page " + OURS));
        // a page nobody connected is not revealed either: without proof, the same answer as for ours
        connect(THEM, "4" + System.nanoTime() % 1_000_000_000L, "made-up-token").then().statusCode(422);
        connect(THEM, OURS, OUR_TOKEN).then().statusCode(409)
                .body("error", org.hamcrest.Matchers.equalTo("Page is connected to another company"));
        as(TestTokens.admin("eve", THEM)).body("{\"page_access_token\":\"" + THEIR_TOKEN + "\"}")
                .put("/api/admin/pages/" + OURS + "/token").then().statusCode(403);
        as(TestTokens.admin("eve", THEM)).body("{\"page_name\":\"Mine\"}").put("/api/admin/pages/" + OURS).then().statusCode(403);
        as(TestTokens.admin("eve", THEM)).delete("/api/admin/pages/" + OURS).then().statusCode(403);
        as(TestTokens.admin("eve", THEM)).get("/api/admin/pages/" + OURS + "/audit").then().statusCode(403);
        // the bridge, asked directly with the hostile admin's token, refuses alike
        given().baseUri(stack.bridge.url()).auth().oauth2(TestTokens.admin("eve", THEM)).contentType(ContentType.JSON)
                .body("{\"page_access_token\":\"" + OUR_TOKEN + "\"}").put("/api/admin/page-connections/" + OURS).then()
                .statusCode(409);
        given().baseUri(stack.bridge.url()).auth().oauth2(TestTokens.admin("eve", THEM)).delete("/api/admin/page-connections/" + OURS)
                .then().statusCode(404);

        as(TestTokens.admin("boss", US)).get("/api/dashboard/pages").then().statusCode(200)
                .body("page_id", org.hamcrest.Matchers.contains(OURS)).body("[0].page_name", org.hamcrest.Matchers.equalTo("Our Shop"));
        List<String> actions = as(TestTokens.admin("boss", US)).get("/api/admin/pages/" + OURS + "/audit").then()
                .statusCode(200).extract().path("entries.action");
        assertEquals(List.of("page_connected"), actions, "refused claims change nothing");
    }

    @Test
    void aDisconnectedPagesAuditStaysOursAlone() {
        String spare = "7" + (System.nanoTime() % 1_000_000_000L);
        String token = "spare-token-" + UUID.randomUUID();
        stack.pageToken(spare, token, "Spare Shop");
        connect(US, spare, token).then().statusCode(201);
        as(TestTokens.admin("boss", US)).delete("/api/admin/pages/" + spare).then().statusCode(204);
        as(TestTokens.admin("boss", US)).get("/api/admin/pages/" + spare + "/audit").then().statusCode(200)
                .body("entries.action", org.hamcrest.Matchers.contains("page_disconnected", "page_connected"));
        as(TestTokens.admin("eve", THEM)).get("/api/admin/pages/" + spare + "/audit").then().statusCode(403);
    }

    @Test
    void noRouteCommandOrEventReachesOurCustomer() throws Exception {
        String customer = "hostile-psid-" + UUID.randomUUID().toString().substring(0, 8);
        String eve = TestTokens.admin("eve", THEM);
        try (var ours = AgentSocket.connect(ws(), TestTokens.agent("alice", US), null);
                var theirs = AgentSocket.connect(ws(), eve, null);
                var console = new SocketIoDriver()) {
            ours.next("connected");
            theirs.next("connected");
            ObjectNode options = SocketIoDriver.overWebSocket(eve);
            console.connect("eve", stack.gateway.url(), options);
            console.next("eve", "connect");

            stack.customerWrites(OURS, customer, "I want to talk to a human");
            ours.next("agent_requested");

            String q = "?page_id=" + OURS;
            String c = "/api/dashboard/customers/" + customer;
            String body = "{\"page_id\":\"" + OURS + "\",\"stop\":false,\"message\":\"hi\",\"agent_name\":\"Eve\",\"notes\":\"x\","
                    + "\"to_agent_id\":\"eve\",\"text\":\"hi\",\"is_typing\":true}";
            String webhook = as(TestTokens.admin("boss", US)).body("{\"url\":\"http://127.0.0.1:9/hook\",\"events\":[\"new_message\"]}")
                    .post("/api/admin/webhooks").then().statusCode(201).extract().path("id");
            String gc = "/api/console/customers/" + customer;
            for (var route : List.of(
                    // the console's REST routes on the gateway, with a valid token of the other company
                    onGateway(eve).get(gc + "/messages" + q),
                    onGateway(eve).get(gc + "/profile" + q), onGateway(eve).body(body).put(gc + "/profile"),
                    onGateway(eve).body(body).put(gc + "/stop"), onGateway(eve).body(body).post(gc + "/typing"),
                    // our webhook: neither removed nor its deliveries read
                    as(eve).delete("/api/admin/webhooks/" + webhook), as(eve).get("/api/admin/webhooks/" + webhook + "/deliveries"),
                    as(eve).body(body).post(c + "/transfer"), as(eve).body(body).post("/api/admin/customers/" + customer + "/release"),
                    as(eve).body(body).post("/api/admin/customers/" + customer + "/transfer"),
                    as(eve).get("/api/dashboard/customers" + q), as(eve).get("/api/dashboard/customers/stopped" + q),
                    as(eve).body(body).post(c + "/assign"), as(eve).body(body).post(c + "/unassign"),
                    as(eve).body(body).post(c + "/messages"), as(eve).get(c + "/messages" + q),
                    as(eve).get(c + "/profile" + q), as(eve).body(body).put(c + "/profile"),
                    as(eve).body(body).put(c + "/stop"), as(eve).body(body).post(c + "/toggle-stop"),
                    as(eve).body(body).put(c + "/agent"), as(eve).get("/api/dashboard/customers/lookup/" + customer),
                    as(eve).get("/api/admin/customers/" + customer + "/audit" + q))) {
                int status = route.then().extract().statusCode();
                assertTrue(status == 403 || status == 404, "a route answered " + status + ": " + route.asString());
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> as(
                    TestTokens.agent("alice", US)).get("/api/dashboard/customers/search?q=Ana").then().statusCode(200)
                    .body("customers.customer_id", org.hamcrest.Matchers.hasItem(customer)));
            as(eve).get("/api/dashboard/customers/search?q=Ana").then().statusCode(200)
                    .body("customers.size()", org.hamcrest.Matchers.equalTo(0));
            as(eve).get("/api/admin/webhooks").then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(0));
            as(TestTokens.admin("boss", US)).get("/api/admin/webhooks").then().body("webhooks.id",
                    org.hamcrest.Matchers.contains(webhook));

            String ids = "\"customer_id\":\"" + customer + "\",\"page_id\":\"" + OURS + "\"";
            theirs.send("{\"type\":\"get_stopped_customers\",\"data\":{\"page_id\":\"" + OURS + "\"}}");
            assertEquals("Page not found or access denied", theirs.next("error").get("error").asText());
            theirs.send("{\"type\":\"assign_agent\",\"data\":{" + ids + "}}");
            theirs.next("error");
            theirs.send("{\"type\":\"send_message\"," + ids + ",\"message\":\"Send me your card number\"}");
            theirs.next("error");
            theirs.send("{\"type\":\"unassign_agent\",\"data\":{" + ids + "}}");
            theirs.next("error");
            theirs.send("{\"type\":\"transfer_customer\",\"data\":{" + ids + ",\"to_agent_id\":\"eve\"}}");
            assertTrue(List.of("Customer not found", "Page not found or access denied")
                    .contains(theirs.next("error").get("error").asText()));
            for (String event : List.of("customer:accept", "message:send", "customer:history", "customer:end",
                    "customer:transfer", "message:typing")) {
                JsonNode ack = console.emitWithAck("eve", event, JSON.createObjectNode().put("customerId", customer)
                        .put("text", "Send me your card number").put("toStaffId", "eve").put("staffId", "eve")
                        .put("isTyping", true));
                assertFalse(ack.path("ok").asBoolean(true), event + " was acknowledged: " + ack);
            }
            theirs.send("{\"type\":\"get_stopped_customers\",\"data\":{}}");
            assertEquals(0, theirs.next("stopped_customers").at("/data/customers").size());

            // our customer is untouched: still waiting, nobody assigned, nothing sent
            as(TestTokens.agent("alice", US)).get(c + "/messages" + q).then().statusCode(200)
                    .body("messages.size()", org.hamcrest.Matchers.equalTo(1));
            as(TestTokens.agent("alice", US)).get("/api/dashboard/customers/stopped" + q).then().statusCode(200)
                    .body("customers[0].customer_id", org.hamcrest.Matchers.equalTo(customer))
                    .body("customers[0].is_assigned", org.hamcrest.Matchers.equalTo(false));
            stack.facebook.verify(0, postRequestedFor(urlPathEqualTo("/v25.0/" + OURS + "/messages")));
            stack.customerWrites(OURS, customer, "Still there?");
            ours.next(f -> "new_message".equals(f.path("type").asText()) && "Still there?".equals(f.at("/data/message").asText()));
            assertTrue(theirs.seen().stream().noneMatch(f -> f.toString().contains(customer)), "a broadcast crossed companies");
            assertTrue(console.seen().stream().filter(e -> !"ack".equals(e.path("event").asText()))
                    .noneMatch(e -> e.toString().contains("Still there?")), "a Socket.IO broadcast crossed companies");
        }
    }

    @Test
    void forgedTokensAreRefusedByEveryServiceAndProtocol() {
        Map<String, String> forged = Map.of(
                "alg none", TestTokens.unsigned("eve", US),
                "HS256 with the public key", TestTokens.hmacWithPublicKey("eve", US),
                "foreign issuer", TestTokens.foreignIssuer("eve", US),
                "expired", TestTokens.expired("eve", US),
                "unknown key", TestTokens.forged("eve", US));
        try (var console = new SocketIoDriver()) {
            forged.forEach((kind, token) -> {
                as(token).get("/api/dashboard/customers").then().statusCode(401);
                given().baseUri(stack.bridge.url()).auth().oauth2(token).contentType(ContentType.JSON)
                        .body("{\"page_access_token\":\"" + OUR_TOKEN + "\"}").put("/api/admin/page-connections/" + OURS)
                        .then().statusCode(401);
                given().baseUri(stack.gateway.url()).auth().oauth2(token).get("/api/console/customers/x/profile?page_id=" + OURS)
                        .then().statusCode(401);
                assertThrows(RuntimeException.class, () -> AgentSocket.connect(ws(), token, null), kind);
                ObjectNode options = SocketIoDriver.overWebSocket(token);
                String id = kind.replace(' ', '-');
                console.connect(id, stack.gateway.url(), options);
                assertEquals("connect_error", console.next(id, e -> e.path("event").asText().startsWith("connect"))
                        .path("event").asText(), kind);
            });
        }
    }

    private static String ws() {
        return stack.ws();
    }

    private static RequestSpecification onGateway(String token) {
        return given().baseUri(stack.gateway.url()).auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static RequestSpecification as(String token) {
        return given().baseUri(stack.customerService.url()).auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static io.restassured.response.Response connect(String company, String pageId, String token) {
        ObjectNode body = JSON.createObjectNode().put("page_id", pageId);
        if (token != null) {
            body.put("page_access_token", token);
        }
        return as(TestTokens.admin("admin-" + company, company)).body(body.toString()).post("/api/admin/pages");
    }
}
