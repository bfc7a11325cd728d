package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.handover.customer.service.Lifecycle;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Presence from gateway instances' reports, as they arrive on {@code staff.presence}: an agent connected on any
 * instance is online (or away, by choice), offline once no instance reports them or the instance reporting them
 * stops; an agent offline past the grace loses their customers to the queue, once, however many replicas sweep;
 * a customer who joins the queue is told their place, or that nobody is online.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class PresenceTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";
    private static final String AGENTS = "/api/dashboard/agents";

    KafkaCompanion companion;

    @Inject
    Lifecycle lifecycle;

    Fixtures fx;
    String page;
    String alice;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
        alice = fx.agentToken("alice");
    }

    @Test
    void anAgentConnectedOnAnyInstanceIsOnlineOrAwayByChoiceAndOfflineWhenNoInstanceHasThem() {
        var events = fx.events();
        fx.presence("gw-a", 30, "alice");
        fx.presence("gw-b", 30, "alice", "bob");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS).then().statusCode(200)
                .body("agents.find { it.agent_id == 'alice' }.status", equalTo("online"))
                .body("agents.find { it.agent_id == 'bob' }.status", equalTo("online"))
                .body("agents.find { it.agent_id == 'bob' }.agent_email", equalTo("bob@example.com")));
        CustomerEvent online = await().atMost(Fixtures.WAIT).until(() -> fx.statusesOf(events, "alice"), l -> !l.isEmpty())
                .get(0);
        assertEquals("online", online.presence().status());
        assertNull(online.presence().previousStatus());
        assertEquals("connected", online.reason());
        assertEquals("Agent alice", online.agent().name());

        as(alice).body("{\"status\":\"away\"}").put(AGENTS + "/me/status").then().statusCode(200)
                .body("status", equalTo("away"));
        as(alice).body("{\"status\":\"offline\"}").put(AGENTS + "/me/status").then().statusCode(400)
                .body("error", equalTo("status must be online or away"));
        as(alice).body("{}").put(AGENTS + "/me/status").then().statusCode(400);

        // one instance lets go: alice is still connected on the other, and stays away
        fx.presence("gw-a", 30);
        fx.presence("gw-b", 30, "bob");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("offline")));
        List<String> statuses = await().atMost(Fixtures.WAIT).until(() -> fx.statusesOf(events, "alice").stream()
                .map(e -> e.presence().status() + "/" + e.reason()).toList(), l -> l.size() >= 3);
        assertEquals(List.of("online/connected", "away/set_by_agent", "offline/disconnected"), statuses);

        // back: as she chose, away
        fx.presence("gw-b", 30, "alice", "bob");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("away")));
        events.close();
    }

    @Test
    void anInstanceThatStopsReportingTakesItsAgentsOfflineAndTheirCustomersGoBackToTheQueueOnce() throws Exception {
        settings("{\"presence_grace_seconds\":2,\"response_timeout_seconds\":0,\"max_wait_seconds\":0}");
        var events = fx.events();
        fx.presence("gw-crashed", 30, "alice");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("online")));
        String first = fx.waitingCustomer(page);
        String second = fx.waitingCustomer(page);
        as(alice).body(body()).post(CUSTOMERS + first + "/assign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + second + "/assign").then().statusCode(200);
        as(alice).get(AGENTS + "/me").then().body("active_chats", equalTo(2));

        // the instance's last beat, good for a second, and then nothing (a crash): its report expires, alice is
        // offline, and after the grace her customers are released by the sweep while 8 more sweeps race it
        fx.presence("gw-crashed", 1, "alice");
        CustomerEvent offline = await().atMost(Fixtures.WAIT).until(() -> fx.statusesOf(events, "alice").stream()
                .filter(e -> "offline".equals(e.presence().status())).toList(), l -> !l.isEmpty()).get(0);
        assertEquals("gateway_lost", offline.reason());
        assertEquals(2, offline.presence().activeChats());
        int replicas = 8;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> sweeps = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            sweeps.add(pool.submit(() -> {
                start.await();
                await().atMost(Fixtures.WAIT).until(() -> {
                    lifecycle.sweep();
                    return released(events, first) + released(events, second) >= 2;
                });
                return null;
            }));
        }
        start.countDown();
        for (Future<?> sweep : sweeps) {
            sweep.get();
        }
        pool.shutdown();
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> released(events, first) == 1 && released(events, second) == 1);
        CustomerEvent back = fx.eventsOf(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, first).stream()
                .filter(e -> "agent_offline".equals(e.reason())).findFirst().orElseThrow();
        assertEquals("alice", back.agent().id());
        assertEquals("unassigned", back.action());
        // back in the queue in the order they first asked
        JsonPath queue = as(alice).get(CUSTOMERS + "stopped").then().extract().jsonPath();
        assertEquals(Integer.valueOf(1), queue.get("customers.find { it.customer_id == '" + first + "' }.queue_position"));
        assertEquals(Integer.valueOf(2), queue.get("customers.find { it.customer_id == '" + second + "' }.queue_position"));
        assertEquals(Integer.valueOf(1), back.queuePosition());
        as(alice).get(AGENTS + "/me").then().body("active_chats", equalTo(0));
        fx.awaitAudit(page, first, "entries.find { it.action == 'unassigned' }.actor.type", "system");
        events.close();
    }

    @Test
    void anAgentBackWithinTheGraceKeepsTheirCustomers() {
        settings("{\"presence_grace_seconds\":3,\"response_timeout_seconds\":0,\"max_wait_seconds\":0}");
        var events = fx.events();
        fx.presence("gw-a", 30, "alice");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("online")));
        String customer = fx.waitingCustomer(page);
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);

        fx.presence("gw-a", 30);
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("offline")));
        fx.presence("gw-b", 30, "alice");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("online")));
        // past the grace, with sweeps every second: still hers
        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> released(events, customer) == 0);
        as(alice).get(CUSTOMERS + "stopped").then()
                .body("customers.find { it.customer_id == '" + customer + "' }.agent_id", equalTo("alice"));
        events.close();
    }

    @Test
    void aCustomerWhoJoinsTheQueueIsToldTheirPlaceOrThatNobodyIsOnline() {
        settings("{\"queue_message\":\"You are number {position} in line, about {minutes} minute(s).\","
                + "\"no_agent_message\":\"Nobody is online right now; we will answer as soon as we are back.\","
                + "\"response_timeout_seconds\":0,\"max_wait_seconds\":0}");
        var outbound = companion.consume(String.class, byte[].class).withGroupId(Fixtures.id("out"))
                .fromTopics(Topics.MESSENGER_OUTBOUND);
        String alone = fx.waitingCustomer(page);
        assertEquals(List.of("Nobody is online right now; we will answer as soon as we are back."), told(outbound, alone, 1));

        fx.presence("gw-a", 30, "alice");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(AGENTS + "/me").then()
                .body("status", equalTo("online")));
        String second = fx.waitingCustomer(page);
        assertEquals(List.of("You are number 2 in line, about a few minute(s)."), told(outbound, second, 1));
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).queryParam("page_id", page)
                .get(CUSTOMERS + second + "/messages").then()
                .body("messages[0].author", equalTo("system"))
                .body("messages[0].text", equalTo("You are number 2 in line, about a few minute(s).")));

        // released by the agent: back in the queue, told again where
        as(alice).body(body()).post(CUSTOMERS + alone + "/assign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + alone + "/unassign").then().statusCode(200);
        assertEquals("You are number 1 in line, about a few minute(s).", told(outbound, alone, 2).get(1));
        outbound.close();
    }

    private List<String> told(io.smallrye.reactive.messaging.kafka.companion.ConsumerTask<String, byte[]> outbound,
            String customer, int count) {
        return await().atMost(Fixtures.WAIT).until(() -> outbound.getRecords().stream()
                .filter(r -> Topics.conversationKey(page, customer).equals(r.key())).map(ConsumerRecord::value)
                .map(v -> new OutboundMessage.Deserializer().deserialize("t", v)).map(OutboundMessage::text).toList(),
                l -> l.size() >= count);
    }

    private long released(io.smallrye.reactive.messaging.kafka.companion.ConsumerTask<String, byte[]> events,
            String customer) {
        return fx.eventsOf(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer).stream()
                .filter(e -> "agent_offline".equals(e.reason())).count();
    }

    private void settings(String body) {
        as(fx.adminToken).body(body).put("/api/admin/settings").then().statusCode(200);
    }

    private String body() {
        return "{\"page_id\":\"" + page + "\"}";
    }
}
