package dev.handover.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.gateway.service.CompanyChannels;
import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Agents on real sockets against the gateway and the packaged customer-service: every request, every
 * broadcast, scoped to the company, with {@code is_assigned_to_me} per recipient.
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class AgentFlowTest {

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Inject
    CompanyChannels channels;

    World world;
    String page;

    @BeforeEach
    void company() {
        world = new World(customerService, companion);
        page = world.page();
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }

    @Test
    void requestsAreAnsweredWithTheSpecsTypesAndErrors() {
        String customer = world.waitingCustomer(page);
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null);
                var bob = AgentSocket.connect(ws(), world.token("bob"), null)) {
            alice.next("connected");
            bob.next("connected");

            alice.send("{\"type\":\"get_stopped_customers\",\"data\":{\"page_id\":\"" + page + "\",\"limit\":10,\"skip\":0}}");
            JsonNode stopped = alice.next("stopped_customers");
            JsonNode first = stopped.at("/data/customers/0");
            assertEquals(customer, first.get("customer_id").asText());
            assertEquals("John Doe", first.get("customer_name").asText());
            assertEquals("Shop " + page, first.get("page_name").asText());
            assertTrue(first.get("stop").asBoolean());
            assertEquals("just now", first.get("time_since_last_conversation").asText());
            assertEquals(0, first.get("minutes_since_last_conversation").asInt());
            assertFalse(first.get("is_assigned").asBoolean());
            assertFalse(first.get("is_assigned_to_me").asBoolean());
            assertEquals(1, stopped.at("/data/pagination/total").asInt());
            assertEquals(10, stopped.at("/data/pagination/limit").asInt());
            assertFalse(stopped.at("/data/pagination/has_more").asBoolean());
            assertEquals(page, stopped.at("/data/page_id").asText());
            assertTrue(stopped.get("timestamp").asLong() > 0);

            String assign = "{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}";
            alice.send(assign);
            JsonNode assigned = alice.next("agent_assigned");
            assertEquals("alice", assigned.at("/data/agent_id").asText());
            assertEquals("alice@example.com", assigned.at("/data/agent_email").asText());
            assertEquals("Agent alice", assigned.at("/data/agent_name").asText());
            assertEquals("alice", assigned.at("/data/customer/agent_id").asText());
            assertTrue(assigned.at("/data/customer/is_assigned_to_me").asBoolean());

            bob.send(assign);
            assertEquals("Customer is already assigned to alice@example.com", bob.next("error").get("error").asText());
            bob.send("{\"type\":\"unassign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            assertEquals("You are not assigned to this customer", bob.next("error").get("error").asText());
            bob.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                    + "\",\"message\":\"hi\"}");
            assertEquals("Customer is already assigned to alice@example.com", bob.next("error").get("error").asText());

            alice.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                    + "\",\"message\":\"Hello, how can I help you today?\"}");
            JsonNode sent = alice.next("message_sent");
            assertEquals(customer, sent.get("customer_id").asText());
            assertEquals(page, sent.get("page_id").asText());
            assertEquals("Hello, how can I help you today?", sent.get("message").asText());
            assertTrue(sent.get("timestamp").asLong() > 0);

            alice.send("{\"type\":\"unassign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            JsonNode released = alice.next("agent_unassigned");
            assertTrue(released.at("/data/customer/agent_id").isMissingNode() || released.at("/data/customer/agent_id").isNull());
            assertFalse(released.at("/data/customer/is_assigned").asBoolean());

            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"nobody\",\"page_id\":\"" + page + "\"}}");
            assertEquals("Customer not found", alice.next("error").get("error").asText());
            alice.send("{\"type\":\"get_stopped_customers\",\"data\":{\"page_id\":\"someone-elses-page\"}}");
            assertEquals("Page not found or access denied", alice.next("error").get("error").asText());
            alice.send("{\"type\":\"get_stopped_customers\",\"data\":{\"limit\":500}}");
            assertEquals(200, alice.next("stopped_customers").at("/data/pagination/limit").asInt());
            alice.send("{\"type\":\"get_stopped_customers\",\"data\":{\"limit\":0}}");
            assertEquals("limit must be a whole number from 1 up", alice.next("error").get("error").asText());
        }
    }

    @Test
    void anAgentTransfersACustomerAndTheCompanySeesFromWhom() {
        String customer = world.waitingCustomer(page);
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null);
                var bob = AgentSocket.connect(ws(), world.token("bob"), null)) {
            alice.next("connected");
            bob.next("connected");
            // bob is an agent of the company once customer-service has seen his token
            bob.send("{\"type\":\"get_stopped_customers\"}");
            bob.next("stopped_customers");
            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            alice.next("agent_assigned");

            alice.send("{\"type\":\"transfer_customer\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            assertEquals("to_agent_id is required", alice.next("error").get("error").asText());
            alice.send("{\"type\":\"transfer_customer\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                    + "\",\"to_agent_id\":\"nobody\"}}");
            assertEquals("to_agent_id is not an agent of this company", alice.next("error").get("error").asText());
            alice.send("{\"type\":\"transfer_customer\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                    + "\",\"to_agent_id\":\"bob\"}}");
            JsonNode done = alice.next("customer_transferred");
            assertEquals("bob", done.at("/data/agent_id").asText());
            assertFalse(done.at("/data/customer/is_assigned_to_me").asBoolean());
            JsonNode seen = bob.next(f -> "agent_assignment_changed".equals(f.path("type").asText())
                    && "transferred".equals(f.at("/data/reason").asText()));
            assertEquals("bob", seen.at("/data/agent_id").asText());
            assertEquals("alice", seen.at("/data/previous_agent/agent_id").asText());
            assertTrue(seen.at("/data/customer/is_assigned_to_me").asBoolean());
        }
    }

    @Test
    void broadcastsReachTheWholeCompanyAndNobodyElse() {
        var rival = new World(customerService, companion);
        String rivalPage = rival.page();
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null);
                var bob = AgentSocket.connect(ws(), world.token("bob"), null);
                var carol = AgentSocket.connect(ws(), rival.token("carol"), null)) {
            alice.next("connected");
            bob.next("connected");
            carol.next("connected");

            String customer = world.id("psid");
            world.customerWrites(page, customer, "Can I talk to a human?");
            for (AgentSocket agent : List.of(alice, bob)) {
                JsonNode message = agent.next("new_message");
                assertEquals(customer, message.at("/data/sender_id").asText());
                assertFalse(message.at("/data/is_bot").asBoolean());
                // the spec's order: agent_requested, then customer_stop_status_changed
                JsonNode requested = agent.next("agent_requested");
                assertEquals(customer, requested.at("/data/chat_id").asText());
                assertEquals("John Doe", requested.at("/data/customer_name").asText());
                assertEquals("Can I talk to a human?", requested.at("/data/message").asText());
                assertTrue(requested.at("/data/timestamp").asLong() > 0);
                JsonNode stop = agent.next("customer_stop_status_changed");
                assertTrue(stop.at("/data/stop").asBoolean());
                assertEquals(customer, stop.at("/data/customer/customer_id").asText());
                assertTrue(stop.get("seq").asLong() > requested.get("seq").asLong());
                assertTrue(requested.get("seq").asLong() > message.get("seq").asLong());
            }

            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page + "\"}}");
            JsonNode toAlice = alice.next("agent_assignment_changed");
            JsonNode toBob = bob.next("agent_assignment_changed");
            for (JsonNode change : List.of(toAlice, toBob)) {
                assertEquals("assigned", change.at("/data/action").asText());
                assertEquals(customer, change.at("/data/customer_id").asText());
                assertEquals("alice", change.at("/data/agent_id").asText());
                assertTrue(change.at("/data/customer/is_assigned").asBoolean());
            }
            assertTrue(toAlice.at("/data/customer/is_assigned_to_me").asBoolean());
            assertFalse(toBob.at("/data/customer/is_assigned_to_me").asBoolean());
            assertEquals(toAlice.get("seq").asLong(), toBob.get("seq").asLong());

            String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(metrics.matches("(?s).*handover_websocket_connections\\{[^}]*protocol=\"json\"[^}]*} [1-9].*"), "json connections");
            assertTrue(metrics.contains("handover_broadcast_latency_seconds_count"), "broadcast latency");
            alice.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + page
                    + "\",\"message\":\"On it!\"}");
            JsonNode reply = bob.next(f -> "new_message".equals(f.path("type").asText())
                    && "On it!".equals(f.at("/data/message").asText()));
            assertTrue(reply.at("/data/is_human").asBoolean());
            assertEquals(page, reply.at("/data/sender_id").asText());
            assertEquals(customer, reply.at("/data/recipient_id").asText());
            assertEquals("alice@example.com", reply.at("/data/agent_email").asText());
            assertTrue(reply.at("/data/attachments").isMissingNode(), "text alone has no attachments");
            world.customerSendsPhoto(page, customer, "https://example.com/receipt.png");
            JsonNode photo = alice.next(f -> "new_message".equals(f.path("type").asText())
                    && "https://example.com/receipt.png".equals(f.at("/data/attachments/0/url").asText()));
            assertEquals("image", photo.at("/data/attachments/0/type").asText());
            assertEquals(customer, photo.at("/data/sender_id").asText());

            // the rival company's own event arrives, and it is the only thing carol ever saw
            String theirs = rival.waitingCustomer(rivalPage);
            carol.next(f -> "agent_requested".equals(f.path("type").asText()) && theirs.equals(f.at("/data/chat_id").asText()));
            assertTrue(carol.seen().stream().noneMatch(f -> f.toString().contains(customer)), "carol saw another company");
            assertTrue(alice.seen().stream().noneMatch(f -> f.toString().contains(theirs)), "alice saw another company");
        }
    }

    @Test
    void anAgentWhoReconnectsWithTheLastSeqGetsWhatTheyMissedInOrderOnce() {
        String first;
        long lastSeq;
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null)) {
            alice.next("connected");
            first = world.waitingCustomer(page);
            lastSeq = alice.next("new_message").get("seq").asLong();
        }
        try (var bob = AgentSocket.connect(ws(), world.token("bob"), null)) {
            bob.next("connected");
            String second = world.waitingCustomer(page);
            bob.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + second + "\",\"page_id\":\"" + page + "\"}}");
            bob.next("agent_assignment_changed");
            List<Long> whileAway = bob.seen().stream().filter(f -> f.has("seq")).map(f -> f.get("seq").asLong()).toList();

            try (var back = AgentSocket.connect(ws(), world.token("alice"), lastSeq)) {
                back.next("connected");
                world.broadcast(first, "after the reconnect");
                back.next(f -> "after the reconnect".equals(f.at("/data/message").asText()));
                List<Long> replayed = back.seen().stream().filter(f -> f.has("seq")).map(f -> f.get("seq").asLong()).toList();
                assertTrue(replayed.stream().allMatch(seq -> seq > lastSeq), replayed.toString());
                assertEquals(replayed.stream().distinct().sorted().toList(), replayed, "in order, once");
                assertTrue(replayed.containsAll(whileAway), "missed " + whileAway + " got " + replayed);
                assertFalse(back.seen().stream().anyMatch(f -> "resync_required".equals(f.path("type").asText())));
            }
        }
    }

    @Test
    void aLastSeqOlderThanTheReplayWindowAsksForAResync() {
        String customer = world.id("psid");
        long firstSeq;
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null)) {
            alice.next("connected");
            world.broadcast(customer, "the first");
            firstSeq = alice.next("agent_requested").get("seq").asLong();
            for (int i = 0; i < 160; i++) {
                world.broadcast(customer, "flood " + i);
            }
            alice.next(f -> "flood 159".equals(f.at("/data/message").asText()));
        }
        try (var back = AgentSocket.connect(ws(), world.token("alice"), firstSeq)) {
            back.next("connected");
            JsonNode resync = back.next("resync_required");
            assertEquals(firstSeq, resync.get("last_seq").asLong());
        }
        // a last_seq from the future is not silence: a resync, then every new event
        long future = firstSeq + 1_000_000_000L;
        try (var confused = AgentSocket.connect(ws(), world.token("alice"), future)) {
            confused.next("connected");
            assertEquals(future, confused.next("resync_required").get("last_seq").asLong());
            world.broadcast(customer, "after the resync");
            assertEquals("after the resync", confused.next("agent_requested").at("/data/message").asText());
        }
    }

    @Test
    void aResumeThatReplaysEveryKeptEventIsNotMistakenForASlowClient() {
        String customer = world.id("psid");
        long lastSeq;
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null)) {
            alice.next("connected");
            world.broadcast(customer, "before");
            lastSeq = alice.next("agent_requested").get("seq").asLong();
        }
        // more missed events than the slow-client limit (100 in tests), fewer than the replay window (150)
        for (int i = 0; i < 140; i++) {
            world.broadcast(customer, "missed " + i + " " + "x".repeat(2_000));
        }
        try (var watcher = AgentSocket.connect(ws(), world.token("bob"), null)) {
            watcher.next("connected");
            world.broadcast(customer, "last");
            watcher.next(f -> "last".equals(f.at("/data/message").asText()));
        }
        try (var back = AgentSocket.connect(ws(), world.token("alice"), lastSeq)) {
            back.next("connected");
            back.next(f -> "last".equals(f.at("/data/message").asText()));
            List<String> texts = back.seen().stream().filter(f -> "agent_requested".equals(f.path("type").asText()))
                    .map(f -> f.at("/data/message").asText().split(" x")[0]).toList();
            List<String> expected = new java.util.ArrayList<>();
            java.util.stream.IntStream.range(0, 140).forEach(i -> expected.add("missed " + i));
            expected.add("last");
            assertEquals(expected, texts, "every missed event, in order, and the connection still open");
        }
    }

    @Test
    void recordsThatCannotBeBroadcastAreSkippedAndBroadcastingGoesOn() {
        try (var alice = AgentSocket.connect(ws(), world.token("alice"), null)) {
            alice.next("connected");
            world.raw("this is not JSON".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            world.raw(("{\"event_id\":\"e-odd\",\"type\":\"SOMETHING_NEW\",\"company_id\":\"" + world.company
                    + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            world.raw(("{\"event_id\":\"e-empty\",\"type\":\"AGENT_REQUESTED\",\"company_id\":\"" + world.company
                    + "\",\"customer\":{}}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            String customer = world.id("psid");
            world.broadcast(customer, "still broadcasting");
            assertEquals("still broadcasting", alice.next(f -> "still broadcasting".equals(f.at("/data/message").asText()))
                    .at("/data/message").asText());
        }
    }

    @Test
    void companiesNobodyFollowsAreForgotten() {
        for (int i = 0; i < 30; i++) {
            new World(customerService, companion).broadcast(world.id("psid"), "to nobody");
        }
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> channelsKept() >= 30);
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> channelsKept() == 0);
    }

    private double channelsKept() {
        String metrics = io.restassured.RestAssured.given().baseUri(ws().replace("ws", "http")).get("/q/metrics").then()
                .statusCode(200).extract().asString();
        return metrics.lines().filter(l -> l.startsWith("handover_gateway_channels ")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    /**
     * A client that still talks but stopped reading (its frames pile up) is cut off with 1008; it keeps sending
     * (five times a second, on a thread of its own), so the ping deadline, which closes silent peers, is not what
     * closes it.
     */
    @Test
    void aClientThatStopsReadingIsCutOff() {
        ScheduledExecutorService talking = Executors.newSingleThreadScheduledExecutor();
        try (var stalled = AgentSocket.connectAndStall(ws(), world.token("sleepy"))) {
            talking.scheduleAtFixedRate(() -> stalled.send("{\"type\":\"ping\"}"), 0, 200, TimeUnit.MILLISECONDS);
            String customer = world.id("psid");
            String padding = "x".repeat(30_000);
            await().atMost(World.WAIT).until(() -> {
                world.broadcast(customer, padding, 50);
                return channels.sessions().stream().noneMatch(s -> "sleepy".equals(s.agentId()) && !s.closed());
            });
            talking.shutdownNow();
            stalled.resumeReading();
            assertEquals(1008, stalled.awaitClose());
        } finally {
            talking.shutdownNow();
        }
    }
}
