package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.OutboundMessage;
import dev.handover.events.SenderAction;
import dev.handover.events.Topics;
import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The staff console protocol, spoken by the official socket.io-client from npm, on both transports. */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class SocketIoTest {

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

    private String url() {
        return "http://" + root.getHost() + ":" + root.getPort();
    }

    private ObjectNode auth(String token, boolean websocketOnly) {
        ObjectNode options = JSON.createObjectNode();
        options.putObject("auth").put("token", token);
        if (websocketOnly) {
            options.putArray("transports").add("websocket");
        }
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

    @Test
    void bothTransportsConnectWithTheAuthTokenAndPollingUpgrades() {
        driver.connect("ws", url(), auth(world.token("alice"), true));
        assertEquals("websocket", driver.next("ws", "connect").get("transport").asText());
        JsonNode status = arg(driver.next("ws", "staff:status"));
        assertTrue(status.get("online").asBoolean());
        assertEquals(0, status.get("activeChats").asInt());

        driver.connect("poll", url(), auth(world.token("bob"), false));
        assertEquals("polling", driver.next("poll", "open").get("transport").asText());
        driver.next("poll", "connect");
        assertEquals("websocket", driver.next("poll", "upgrade").get("transport").asText());
        assertTrue(driver.emitWithAck("poll", "staff:status", payload()).get("ok").asBoolean());
    }

    @Test
    void longPollingAloneCarriesEventsAndAcknowledgements() {
        ObjectNode options = auth(world.token("alice"), false);
        options.put("upgrade", false);
        driver.connect("a", url(), options);
        assertEquals("polling", driver.next("a", "connect").get("transport").asText());
        String customer = world.waitingCustomer(page);
        assertEquals(customer, arg(driver.next("a", "customer:new")).at("/customer/id").asText());
        JsonNode accepted = driver.emitWithAck("a", "customer:accept", payload("customerId", customer, "staffId", "alice"));
        assertTrue(accepted.get("ok").asBoolean(), accepted.toString());
    }

    @Test
    void refusedTokensGetConnectErrorAndNoAutomaticReconnect() {
        driver.connect("bad", url(), auth("not-a-token", true));
        JsonNode refused = driver.next("bad", "connect_error");
        assertEquals("unauthorized", refused.get("message").asText());
        assertEquals("INVALID_TOKEN", refused.at("/data/code").asText());
        assertFalse(refused.get("active").asBoolean());

        driver.connect("old", url(), auth(TestTokens.expired("alice", world.company), false));
        JsonNode expired = driver.next("old", "connect_error");
        assertEquals("TOKEN_EXPIRED", expired.at("/data/code").asText());

        driver.connect("forged", url(), auth(TestTokens.forged("alice", world.company), true));
        assertEquals("INVALID_TOKEN", driver.next("forged", "connect_error").at("/data/code").asText());
    }

    @Test
    void staffAuthAfterConnectingAndNothingBeforeIt() {
        driver.connect("a", url(), JSON.createObjectNode().set("transports", JSON.createArrayNode().add("websocket")));
        driver.next("a", "connect");
        JsonNode before = driver.emitWithAck("a", "staff:subscribe", payload("staffId", "alice"));
        assertEquals("UNAUTHORIZED", before.at("/error/code").asText());
        assertEquals("UNAUTHORIZED", arg(driver.next("a", "error")).get("code").asText());

        driver.emit("a", "staff:auth", payload("staffId", "mallory", "token", world.token("alice")));
        JsonNode mismatch = arg(driver.next("a", "staff:auth:response"));
        assertFalse(mismatch.get("success").asBoolean());
        assertEquals("staffId does not match the token", mismatch.get("error").asText());

        driver.emit("a", "staff:auth", payload("staffId", "alice", "token", world.token("alice")));
        assertTrue(arg(driver.next("a", "staff:auth:response")).get("success").asBoolean());
        assertEquals(0, arg(driver.next("a", "staff:status")).get("activeChats").asInt());
        assertTrue(driver.emitWithAck("a", "staff:subscribe", payload("staffId", "alice")).get("ok").asBoolean());
    }

    @Test
    void everyConsoleEventWithItsPayloadsAndOnlyForTheCompany() throws Exception {
        String customer = world.waitingCustomer(page);
        var rival = new World(customerService, companion);
        rival.page();
        var typingToCustomer = companion.consume(String.class, byte[].class).withGroupId(World.id("typing"))
                .fromTopics(Topics.MESSENGER_OUTBOUND);
        driver.connect("alice", url(), auth(world.token("alice"), true));
        driver.connect("bob", url(), auth(world.token("bob"), false));
        driver.connect("carol", url(), auth(rival.token("carol"), true));
        driver.next("alice", "connect");
        driver.next("bob", "connect");
        driver.next("carol", "connect");

        JsonNode subscribed = driver.emitWithAck("alice", "staff:subscribe", payload("staffId", "alice"));
        assertEquals(1, subscribed.get("count").asInt());
        JsonNode listed = arg(driver.next("alice", "customer:new")).get("customer");
        assertEquals(customer, listed.get("id").asText());
        assertEquals(1, listed.get("queuePosition").asInt());
        assertTrue(listed.get("estimatedWaitSeconds").isNull(), "no estimate before the company took anyone");
        assertEquals("John Doe", listed.get("name").asText());
        assertTrue(listed.get("needsSupport").asBoolean());
        assertTrue(listed.get("active").asBoolean());
        assertTrue(listed.has("avatar"));

        JsonNode accepted = driver.emitWithAck("alice", "customer:accept", payload("customerId", customer, "staffId", "alice"));
        assertTrue(accepted.get("ok").asBoolean(), accepted.toString());
        JsonNode update = arg(driver.next("bob", e -> "customer:update".equals(e.path("event").asText())
                && "alice".equals(arg(e).at("/updates/assignedTo").asText())));
        assertEquals(customer, update.get("customerId").asText());
        assertTrue(update.at("/updates/needsSupport").asBoolean());
        assertEquals(1, arg(driver.next("alice", e -> "staff:status".equals(e.path("event").asText())
                && arg(e).get("activeChats").asInt() == 1)).get("activeChats").asInt());

        JsonNode taken = driver.emitWithAck("bob", "customer:accept", payload("customerId", customer, "staffId", "bob"));
        assertEquals("ALREADY_ASSIGNED", taken.at("/error/code").asText());
        JsonNode error = arg(driver.next("bob", "error"));
        assertEquals("Customer is already assigned to alice@example.com", error.get("message").asText());
        assertEquals("customer:accept", error.at("/context/event").asText());

        JsonNode sent = driver.emitWithAck("alice", "message:send", payload("customerId", customer, "staffId", "alice",
                "text", "Hello from the console"));
        assertTrue(sent.get("ok").asBoolean());
        JsonNode fromAlice = arg(driver.next("bob", e -> "message:new".equals(e.path("event").asText())
                && "Hello from the console".equals(arg(e).at("/message/text").asText()))).get("message");
        assertFalse(fromAlice.get("isCustomer").asBoolean());
        assertEquals("Agent alice", fromAlice.get("staffName").asText());
        assertEquals(customer, fromAlice.get("customerId").asText());
        assertTrue(Instant.parse(fromAlice.get("timestamp").asText()).isAfter(Instant.now().minusSeconds(60)));

        world.customerWrites(page, customer, "Thanks!");
        JsonNode fromCustomer = arg(driver.next("alice", e -> "message:new".equals(e.path("event").asText())
                && "Thanks!".equals(arg(e).at("/message/text").asText()))).get("message");
        assertTrue(fromCustomer.get("isCustomer").asBoolean());
        // a photo shows at once, not only after reloading the history
        world.customerSendsPhoto(page, customer, "https://example.com/receipt.png");
        JsonNode photo = arg(driver.next("alice", e -> "message:new".equals(e.path("event").asText())
                && arg(e).at("/message/attachments/0/url").asText().equals("https://example.com/receipt.png"))).get("message");
        assertEquals("image", photo.at("/attachments/0/type").asText());
        assertTrue(photo.get("isCustomer").asBoolean());

        driver.emit("alice", "message:typing", payload("customerId", customer, "staffId", "alice").put("isTyping", true));
        driver.emit("alice", "message:typing", payload("customerId", customer, "staffId", "alice").put("isTyping", true));
        JsonNode typing = arg(driver.next("bob", "message:typing:update"));
        assertEquals(customer, typing.get("customerId").asText());
        assertFalse(typing.get("isCustomer").asBoolean());
        assertTrue(typing.get("isTyping").asBoolean());
        OutboundMessage typingOn = await().atMost(World.WAIT).until(() -> typingToCustomer.getRecords().stream()
                .filter(r -> Topics.conversationKey(page, customer).equals(r.key())).map(ConsumerRecord::value)
                .map(v -> new OutboundMessage.Deserializer().deserialize("t", v))
                .filter(m -> m.senderAction() != null).toList(), l -> !l.isEmpty()).get(0);
        assertEquals(SenderAction.TYPING_ON, typingOn.senderAction());
        typingToCustomer.close();
        // another company's customer: refused, and nothing is relayed to anyone
        var otherCompany = new World(customerService, companion);
        String theirs = otherCompany.waitingCustomer(otherCompany.page());
        JsonNode refused = driver.emitWithAck("alice", "message:typing", payload("customerId", theirs, "staffId", "alice")
                .put("isTyping", true));
        assertEquals("NOT_FOUND", refused.at("/error/code").asText());
        assertEquals("Customer not found", refused.at("/error/message").asText());

        JsonNode history = driver.emitWithAck("alice", "customer:history", payload("customerId", customer));
        assertEquals(customer, history.get("customerId").asText());
        List<String> texts = JSON.convertValue(history.at("/history/messages").findValuesAsText("text"), List.class);
        assertEquals(List.of("I want to speak to a human", "Hello from the console", "Thanks!", "[image]"), texts);
        assertTrue(history.at("/history/messages/0/isCustomer").asBoolean());
        assertEquals("https://example.com/receipt.png", history.at("/history/messages/3/attachments/0/url").asText());
        assertEquals(customer, history.at("/history/userInfo/customerId").asText());
        assertTrue(history.at("/history/userInfo").has("taxCode"));
        assertEquals(customer, arg(driver.next("alice", "customer:history:response")).get("customerId").asText());

        JsonNode ended = driver.emitWithAck("alice", "customer:end", payload("customerId", customer, "staffId", "alice"));
        assertTrue(ended.get("ok").asBoolean(), ended.toString());
        JsonNode back = arg(driver.next("bob", e -> "customer:update".equals(e.path("event").asText())
                && !arg(e).at("/updates/needsSupport").asBoolean()));
        assertTrue(back.at("/updates/assignedTo").isNull());

        JsonNode unknown = driver.emitWithAck("alice", "customer:teleport", payload("customerId", customer));
        assertEquals("UNKNOWN_EVENT", unknown.at("/error/code").asText());
        JsonNode missing = driver.emitWithAck("alice", "customer:accept", payload("staffId", "alice"));
        assertEquals("INVALID_PAYLOAD", missing.at("/error/code").asText());

        assertTrue(driver.seen().stream().filter(e -> "carol".equals(e.path("id").asText()))
                .noneMatch(e -> e.toString().contains(customer)), "carol saw another company's customer");
    }

    @Test
    void anAgentOnEachProtocolRacesForOneCustomerAndOneWins() throws Exception {
        String customer = world.waitingCustomer(page);
        driver.connect("console", url(), auth(world.token("dora"), true));
        driver.next("console", "connect");
        try (var json = AgentSocket.connect("ws://" + root.getHost() + ":" + root.getPort(), world.token("erik"), null)) {
            json.next("connected");
            CompletableFuture<JsonNode> viaSocketIo = CompletableFuture.supplyAsync(() ->
                    driver.emitWithAck("console", "customer:accept", payload("customerId", customer, "staffId", "dora")));
            json.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            JsonNode jsonAnswer = json.next(f -> f.path("type").asText().equals("agent_assigned")
                    || f.path("type").asText().equals("error"));
            JsonNode consoleAnswer = viaSocketIo.get();
            boolean jsonWon = "agent_assigned".equals(jsonAnswer.get("type").asText());
            boolean consoleWon = consoleAnswer.get("ok").asBoolean();
            assertTrue(jsonWon ^ consoleWon, "exactly one winner: " + jsonAnswer + " / " + consoleAnswer);
            String winner = jsonWon ? "erik" : "dora";
            JsonNode seenByJson = json.next("agent_assignment_changed");
            assertEquals(winner, seenByJson.at("/data/agent_id").asText());
            JsonNode seenByConsole = arg(driver.next("console", e -> "customer:update".equals(e.path("event").asText())
                    && !arg(e).at("/updates/assignedTo").isNull()));
            assertEquals(winner, seenByConsole.at("/updates/assignedTo").asText());
        }
    }

    @Test
    void aConsoleTransfersACustomerToAnotherAgent() {
        String customer = world.waitingCustomer(page);
        driver.connect("alice", url(), auth(world.token("alice"), true));
        driver.connect("bob", url(), auth(world.token("bob"), true));
        driver.next("alice", "connect");
        driver.next("bob", "connect");
        assertTrue(driver.emitWithAck("bob", "staff:subscribe", payload("staffId", "bob")).get("ok").asBoolean());
        assertTrue(driver.emitWithAck("alice", "customer:accept", payload("customerId", customer, "staffId", "alice"))
                .get("ok").asBoolean());
        JsonNode missing = driver.emitWithAck("alice", "customer:transfer", payload("customerId", customer, "staffId", "alice"));
        assertEquals("INVALID_PAYLOAD", missing.at("/error/code").asText());
        JsonNode moved = driver.emitWithAck("alice", "customer:transfer", payload("customerId", customer, "staffId", "alice",
                "toStaffId", "bob"));
        assertTrue(moved.get("ok").asBoolean(), moved.toString());
        assertEquals("bob", moved.at("/customer/assignedTo").asText());
        JsonNode update = arg(driver.next("bob", e -> "customer:update".equals(e.path("event").asText())
                && "transferred".equals(arg(e).path("reason").asText())));
        assertEquals("bob", update.at("/updates/assignedTo").asText());
    }

    @Test
    void anAgentAtTheCompanysCapacityIsRefusedWithItsOwnCode() {
        given().baseUri(customerService).auth().oauth2(TestTokens.admin("admin", world.company))
                .contentType("application/json").body("{\"max_active_chats\":1}").put("/api/admin/settings").then()
                .statusCode(200);
        String first = world.waitingCustomer(page);
        String second = world.waitingCustomer(page);
        driver.connect("alice", url(), auth(world.token("alice"), true));
        driver.next("alice", "connect");
        assertTrue(driver.emitWithAck("alice", "customer:accept", payload("customerId", first, "staffId", "alice"))
                .get("ok").asBoolean());
        JsonNode refused = driver.emitWithAck("alice", "customer:accept", payload("customerId", second, "staffId", "alice"));
        assertEquals("CAPACITY", refused.at("/error/code").asText());
        assertEquals("You have reached your limit of 1 active chats", refused.at("/error/message").asText());
    }

    @Test
    void aSocketThatDisconnectsAndReconnectsGetsEventsAgain() {
        driver.connect("a", url(), auth(world.token("alice"), false));
        driver.next("a", "connect");
        driver.close("a");
        assertEquals("io client disconnect", driver.next("a", "disconnect").get("reason").asText());
        driver.reconnect("a");
        driver.next("a", "connect");
        String customer = world.waitingCustomer(page);
        assertEquals(customer, arg(driver.next("a", "customer:new")).at("/customer/id").asText());
    }

    @Test
    void aTokenThatExpiresIsRefusedOnTheNextEventAndTheSocketCanComeBack() {
        Instant expiry = Instant.now().plusSeconds(2);
        String shortLived = TestTokens.sign("alice", world.company, "A", "alice@example.com", List.of("agent"),
                Duration.ofSeconds(2), TestTokens.key());
        driver.connect("a", url(), auth(shortLived, true));
        driver.next("a", "connect");
        await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(expiry.plusMillis(200)));
        driver.emit("a", "staff:subscribe", payload("staffId", "alice"));
        assertEquals("TOKEN_EXPIRED", arg(driver.next("a", "error")).get("code").asText());
        assertEquals("io server disconnect", driver.next("a", "disconnect").get("reason").asText());

        driver.connect("b", url(), auth(world.token("alice"), true));
        driver.next("b", "connect");
        String customer = world.waitingCustomer(page);
        JsonNode announced = arg(driver.next("b", "customer:new")).get("customer");
        assertEquals(customer, announced.get("id").asText());
        assertEquals(1, announced.get("queuePosition").asInt());
    }

    @Test
    void staffAuthWithAFreshTokenOfTheSameAgentRenewsTheSessionInPlace() {
        String fresh = world.token("alice");
        String shortLived = TestTokens.sign("alice", world.company, "A", "alice@example.com", List.of("agent"),
                Duration.ofSeconds(4), TestTokens.key());
        Instant expiry = Instant.now().plusSeconds(4);
        driver.connect("a", url(), auth(shortLived, true));
        driver.next("a", "connect");
        JsonNode renewed = driver.emitWithAck("a", "staff:auth", payload("staffId", "alice", "token", fresh));
        assertTrue(renewed.get("success").asBoolean(), renewed.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiry.plusSeconds(2)));
        String customer = world.waitingCustomer(page);
        assertEquals(customer, arg(driver.next("a", "customer:new")).at("/customer/id").asText());
        JsonNode accepted = driver.emitWithAck("a", "customer:accept", payload("customerId", customer, "staffId", "alice"));
        assertTrue(accepted.get("ok").asBoolean(), accepted.toString());
    }

    @Test
    void theOfficialClientRecoversWhatItMissedWhileDisconnected() {
        driver.connect("a", url(), auth(world.token("alice"), true));
        assertFalse(driver.next("a", "connect").get("recovered").asBoolean());
        String seen = world.waitingCustomer(page);
        assertEquals(seen, arg(driver.next("a", "customer:new")).at("/customer/id").asText());
        driver.close("a");
        driver.next("a", "disconnect");
        String missed = world.waitingCustomer(page);
        driver.reconnect("a");
        assertTrue(driver.next("a", "connect").get("recovered").asBoolean(), "socket.recovered");
        // what happened while away arrives once, without a staff:subscribe; what was seen is not sent again
        JsonNode replayed = driver.next("a", frame -> "customer:new".equals(frame.path("event").asText())
                && missed.equals(frame.at("/args/0/customer/id").asText()));
        assertEquals(missed, arg(replayed).at("/customer/id").asText());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> driver.seen().stream()
                .filter(f -> "customer:new".equals(f.path("event").asText()))
                .map(f -> f.at("/args/0/customer/id").asText()).filter(id -> id.equals(seen) || id.equals(missed)).count() == 2);
    }
}
