package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
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
import dev.handover.testing.SwitchingProxy;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestPages;
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
        gatewayA = TestInfrastructure.start("realtime-gateway", gateway(customerService, "a-" + UUID.randomUUID()));
        gatewayB = TestInfrastructure.start("realtime-gateway", gateway(customerService, "b-" + UUID.randomUUID()));
        kafka = new KafkaCompanion(TestInfrastructure.infrastructure().kafkaBootstrapServers());
    }

    /** A gateway instance reporting presence every second, with a second of linger after an agent's last connection. */
    private static Map<String, String> gateway(String customerService, String instance) {
        return Map.of("CUSTOMER_SERVICE_URL", customerService, "GATEWAY_INSTANCE", instance,
                "GATEWAY_PRESENCE_BEAT_INTERVAL", "1s", "GATEWAY_PRESENCE_TTL", "3s", "GATEWAY_PRESENCE_LINGER", "1s",
                "GATEWAY_PRESENCE_DEBOUNCE", "100ms");
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
        String page = "page-" + UUID.randomUUID().toString().substring(0, 8);
        TestPages.connected(page, company, "Shop");
        // typing is relayed only about a customer of the company
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        var message = new InboundEvent("m-" + customer, InboundKind.MESSAGE, page, customer,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), "m-" + customer, "hello", null, null, null, null, null, null,
                null, null, "Ann", "Lee");
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                Topics.conversationKey(page, customer), new JsonSerializer().serialize("t", message)))
                .awaitCompletion(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> given()
                .baseUri(TestInfrastructure.customerService().url()).auth().oauth2(TestTokens.agent("carla", company))
                .get("/api/dashboard/customers/lookup/" + customer).then().statusCode(200));
        try (var console = new SocketIoDriver()) {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String agent : java.util.List.of("carla", "dan")) {
                var options = SocketIoDriver.overWebSocket(TestTokens.agent(agent, company));
                console.connect(agent, (agent.equals("carla") ? gatewayA : gatewayB).url(), options);
                console.next(agent, "connect");
            }
            var typing = new java.util.concurrent.atomic.AtomicBoolean();
            // a new state longer apart than the 300 ms debounce, so that every round is relayed until dan's gateway listens
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(700)).until(() -> {
                boolean now = !typing.get();
                typing.set(now);
                console.emit("carla", "message:typing", json.createObjectNode().put("customerId", customer)
                        .put("staffId", "carla").put("isTyping", now));
                return console.seen().stream().anyMatch(e -> "dan".equals(e.path("id").asText())
                        && "message:typing:update".equals(e.path("event").asText()));
            });
            JsonNode update = console.next("dan", "message:typing:update").get("args").get(0);
            assertEquals(customer, update.get("customerId").asText());
            assertEquals("carla", update.get("staffId").asText());
            assertTrue(console.seen().stream().noneMatch(e -> "carla".equals(e.path("id").asText())
                    && "message:typing:update".equals(e.path("event").asText())), "nobody is told of their own typing");
        }
    }

    /**
     * Socket.IO's connection state recovery on any instance: the official client, behind a balancer, loses its
     * connection to one gateway and reconnects to the other with its session id and offset; it is told it recovered
     * and gets what it missed, once, without asking for the list again.
     */
    @Test
    void theOfficialClientRecoversOnAnotherInstance() throws IOException {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String page = "page-" + UUID.randomUUID().toString().substring(0, 8);
        TestPages.connected(page, company, "Shop");
        try (var balancer = new SwitchingProxy(gatewayA.port()); var console = new SocketIoDriver()) {
            console.connect("ann", balancer.url(), SocketIoDriver.overWebSocket(TestTokens.agent("ann", company)));
            assertFalse(console.next("ann", "connect").get("recovered").asBoolean());
            String seen = asksForAHuman(page);
            console.next("ann", f -> "customer:new".equals(f.path("event").asText())
                    && seen.equals(f.at("/args/0/customer/id").asText()));
            console.close("ann");
            console.next("ann", "disconnect");

            balancer.sendTo(gatewayB.port());
            String missed = asksForAHuman(page);
            // stored while ann is away (gateway B has it from customer.events: in the replay, or live if later)
            await().atMost(Duration.ofSeconds(20)).until(() -> given().baseUri(TestInfrastructure.customerService().url())
                    .auth().oauth2(TestTokens.agent("ann", company)).get("/api/dashboard/customers/lookup/" + missed)
                    .then().extract().statusCode() == 200);
            console.reconnect("ann");
            assertTrue(console.next("ann", "connect").get("recovered").asBoolean(), "socket.recovered on the other instance");
            JsonNode replayed = console.next("ann", f -> "customer:new".equals(f.path("event").asText())
                    && missed.equals(f.at("/args/0/customer/id").asText()));
            assertEquals(missed, replayed.at("/args/0/customer/id").asText());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> console.seen().stream()
                    .filter(f -> "customer:new".equals(f.path("event").asText()))
                    .map(f -> f.at("/args/0/customer/id").asText()).filter(id -> id.equals(seen) || id.equals(missed))
                    .count() == 2);
        }
    }

    /** A new customer of the page who asks for a human. */
    private static String asksForAHuman(String page) {
        return asksForAHuman(page, "psid-" + UUID.randomUUID().toString().substring(0, 8));
    }

    private static String asksForAHuman(String page, String customer) {
        var message = new InboundEvent("m-" + customer, InboundKind.MESSAGE, page, customer,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), "m-" + customer, "Can I talk to a human?", null, null,
                null, null, null, null, null, null, "Ann", "Lee");
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                Topics.conversationKey(page, customer), new JsonSerializer().serialize("t", message)))
                .awaitCompletion(Duration.ofSeconds(10));
        return customer;
    }

    /**
     * One customer's whole handoff as an agent on another instance receives it: asked, queued with a position,
     * taken by alice (connected to both instances), alice online while either connection lives and offline when
     * both are closed, the customer back in the queue after the grace, taken by bob on the console, handed back to
     * the bot. The frames are printed: README's lifecycle example is this output.
     */
    @Test
    void oneCustomersWholeLifecycleAcrossInstancesAndProtocols() {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String page = "page-" + UUID.randomUUID().toString().substring(0, 8);
        TestPages.connected(page, company, "Shop");
        given().baseUri(TestInfrastructure.customerService().url()).auth().oauth2(TestTokens.admin("boss", company))
                .contentType(ContentType.JSON).body("{\"presence_grace_seconds\":2,\"response_timeout_seconds\":0,"
                        + "\"max_wait_seconds\":0,\"queue_message\":\"You are number {position} in line.\"}")
                .put("/api/admin/settings").then().statusCode(200);
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        try (var carol = AgentSocket.connect(ws(gatewayB), TestTokens.agent("carol", company), null);
                var console = new SocketIoDriver()) {
            carol.next("connected");
            var aliceOnA = AgentSocket.connect(ws(gatewayA), TestTokens.agent("alice", company), null);
            var aliceOnB = AgentSocket.connect(ws(gatewayB), TestTokens.agent("alice", company), null);
            aliceOnA.next("connected");
            aliceOnB.next("connected");
            carol.next(f -> status(f, "alice", "online"));

            asksForAHuman(page, customer);
            assertEquals(1, carol.next("agent_requested").at("/data/queue_position").asInt());

            aliceOnA.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\""
                    + page + "\"}}");
            aliceOnA.next("agent_assigned");
            // one of alice's two connections closes: she is still online on the other instance
            aliceOnA.close();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> carol.seen().stream().noneMatch(f -> status(f, "alice", "offline")));
            aliceOnB.close();
            assertEquals("disconnected", carol.next(f -> status(f, "alice", "offline")).at("/data/reason").asText());
            JsonNode back = carol.next(f -> "agent_assignment_changed".equals(f.path("type").asText())
                    && "agent_offline".equals(f.at("/data/reason").asText()));
            assertEquals(1, back.at("/data/queue_position").asInt());

            var options = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
            options.putObject("auth").put("token", TestTokens.agent("bob", company));
            options.putArray("transports").add("websocket");
            console.connect("bob", gatewayA.url(), options);
            console.next("bob", "staff:status");
            var accept = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("customerId", customer);
            assertTrue(console.emitWithAck("bob", "customer:accept", accept).get("ok").asBoolean());
            assertTrue(console.emitWithAck("bob", "customer:end", accept).get("ok").asBoolean());
            carol.next(f -> "customer_stop_status_changed".equals(f.path("type").asText())
                    && !f.at("/data/stop").asBoolean(true));

            List<String> story = new ArrayList<>();
            for (JsonNode frame : carol.seen()) {
                String type = frame.path("type").asText();
                JsonNode data = frame.path("data");
                if (type.equals("agent_status_changed") && !data.path("agent_id").asText().equals("carol")) {
                    story.add(type + " " + data.path("agent_id").asText() + " " + data.path("status").asText() + " ("
                            + data.path("reason").asText() + ")");
                } else if (customer.equals(data.path("customer_id").asText(data.path("chat_id").asText(
                        data.at("/customer/customer_id").asText())))) {
                    story.add(type + describe(data));
                }
            }
            System.out.println("Lifecycle of " + customer + " as carol received it:\n  " + String.join("\n  ", story));
            assertEquals(List.of(
                    "agent_status_changed alice online (connected)",
                    "new_message customer",
                    "agent_requested queue_position=1",
                    "customer_stop_status_changed stop=true (customer_asked)",
                    "new_message system: You are number 1 in line.",
                    "agent_assignment_changed assigned alice (taken)",
                    "agent_status_changed alice offline (disconnected)",
                    "agent_assignment_changed unassigned alice (agent_offline) queue_position=1",
                    "new_message system: You are number 1 in line.",
                    "agent_status_changed bob online (connected)",
                    "agent_assignment_changed assigned bob (taken)",
                    "agent_assignment_changed unassigned bob (back_to_bot)",
                    "customer_stop_status_changed stop=false (back_to_bot)"), story.stream()
                            .filter(line -> !line.startsWith("message_status_changed")).toList());
        }
    }

    private static String describe(JsonNode data) {
        if (data.has("action")) {
            return " " + data.path("action").asText() + " " + data.path("agent_id").asText() + " ("
                    + data.path("reason").asText() + ")"
                    + (data.hasNonNull("queue_position") ? " queue_position=" + data.path("queue_position").asInt() : "");
        }
        if (data.has("stop")) {
            return " stop=" + data.path("stop").asBoolean() + " (" + data.path("reason").asText() + ")";
        }
        if (data.has("queue_position")) {
            return " queue_position=" + data.path("queue_position").asInt();
        }
        if (data.path("is_system").asBoolean()) {
            return " system: " + data.path("message").asText();
        }
        return data.has("message") ? " customer" : "";
    }

    private static boolean status(JsonNode frame, String agent, String status) {
        return "agent_status_changed".equals(frame.path("type").asText()) && agent.equals(frame.at("/data/agent_id").asText())
                && status.equals(frame.at("/data/status").asText());
    }

    private static String ws(ServiceProcess gateway) {
        return "ws://127.0.0.1:" + gateway.port();
    }
}
