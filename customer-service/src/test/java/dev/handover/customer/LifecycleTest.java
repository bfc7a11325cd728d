package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.Customer;
import dev.handover.customer.service.Lifecycle;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The rules time applies, with settings in seconds: an agent who does not answer loses the customer to the
 * queue, a customer nobody takes is told and goes back to the bot. Timers live in the database, act on what
 * was stored by a process that is gone, and act once however many replicas sweep at the same moment.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class LifecycleTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";

    KafkaCompanion companion;

    @Inject
    Lifecycle lifecycle;
    @Inject
    MongoClient mongo;

    Fixtures fx;
    String page;
    String alice;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
        alice = TestTokens.agent("alice", fx.company);
    }

    @Test
    void anAgentWhoDoesNotAnswerLosesTheCustomerToTheQueueAndAnAnswerStopsTheClock() {
        settings("{\"response_timeout_seconds\":4,\"max_wait_seconds\":0}");
        String silent = fx.waitingCustomer(page);
        String answered = fx.waitingCustomer(page);
        var events = fx.events();
        as(alice).body(body()).post(CUSTOMERS + silent + "/assign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + answered + "/assign").then().statusCode(200);
        as(alice).body(body("\"message\":\"Hi, I am Alice\"")).post(CUSTOMERS + answered + "/messages").then()
                .statusCode(200);

        CustomerEvent released = await().atMost(Duration.ofSeconds(12)).until(() -> fx.eventsOf(events,
                CustomerEventType.AGENT_ASSIGNMENT_CHANGED, silent).stream()
                .filter(e -> "unassigned".equals(e.action())).toList(), list -> !list.isEmpty()).get(0);
        assertEquals("no_response", released.reason());
        assertEquals("alice", released.agent().id());
        as(alice).get(CUSTOMERS + "stopped").then()
                .body("customers.find { it.customer_id == '" + silent + "' }.is_assigned", equalTo(false))
                .body("customers.find { it.customer_id == '" + silent + "' }.queue_position", equalTo(1))
                .body("customers.find { it.customer_id == '" + answered + "' }.agent_id", equalTo("alice"));
        fx.awaitAudit(page, silent, "entries.find { it.action == 'unassigned' }.actor.type", "system");

        // the answered customer writes again: the clock starts again, and runs out
        fx.customerWrites(page, answered, "are you there?");
        CustomerEvent later = await().atMost(Duration.ofSeconds(12)).until(() -> fx.eventsOf(events,
                CustomerEventType.AGENT_ASSIGNMENT_CHANGED, answered).stream()
                .filter(e -> "unassigned".equals(e.action())).toList(), list -> !list.isEmpty()).get(0);
        assertEquals("no_response", later.reason());
        assertTrue(later.occurredAt().isAfter(released.occurredAt()));
        events.close();
    }

    @Test
    void aCustomerNobodyTakesIsToldAndGoesBackToTheBot() {
        settings("{\"max_wait_seconds\":2,\"max_wait_message\":\"Sorry, nobody is free after {minutes} minute(s);"
                + " you were number {position}. The bot is back.\"}");
        var events = fx.events();
        var outbound = companion.consume(String.class, byte[].class).withGroupId(Fixtures.id("out"))
                .fromTopics(Topics.MESSENGER_OUTBOUND);
        String customer = fx.waitingCustomer(page);

        CustomerEvent back = await().atMost(Duration.ofSeconds(8)).until(() -> fx.eventsOf(events,
                CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer).stream()
                .filter(e -> Boolean.FALSE.equals(e.stop())).toList(), list -> !list.isEmpty()).get(0);
        assertEquals("max_wait", back.reason());
        OutboundMessage told = await().atMost(Fixtures.WAIT).until(() -> outbound.getRecords().stream()
                .filter(r -> Topics.conversationKey(page, customer).equals(r.key())).map(ConsumerRecord::value)
                .map(v -> new OutboundMessage.Deserializer().deserialize("t", v)).toList(), l -> !l.isEmpty()).get(0);
        assertEquals("Sorry, nobody is free after 1 minute(s); you were number 1. The bot is back.", told.text());
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).queryParam("page_id", page)
                .get(CUSTOMERS + customer + "/messages").then()
                .body("messages[0].author", equalTo("system")).body("messages[0].text", equalTo(told.text())));
        as(alice).get(CUSTOMERS + "stopped").then().body("customers.customer_id", org.hamcrest.Matchers.not(
                org.hamcrest.Matchers.hasItem(customer)));
        outbound.close();
        events.close();
    }

    @Test
    void aTimerStoredByAProcessThatIsGoneActsOnceHoweverManyReplicasSweep() throws Exception {
        settings("{\"response_timeout_seconds\":3600,\"max_wait_seconds\":0}");
        String customer = fx.waitingCustomer(page);
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        var events = fx.events();
        // as if the agent had taken the customer two hours ago, in a process that has since died (a new version,
        // so that a write decided on the old state, such as the outbox's drain, is decided again)
        var stored = mongo.getDatabase("handover").getCollection("customers");
        await().atMost(Fixtures.WAIT).until(() -> !stored.find(Filters.eq("_id", Customer.key(page, customer))).first()
                .getBoolean("has_pending"));
        Instant longAgo = Instant.now().minusSeconds(7200);
        stored.updateOne(Filters.eq("_id", Customer.key(page, customer)),
                Updates.combine(Updates.set("awaiting_reply_since", Date.from(longAgo)),
                        Updates.set("due_at", Date.from(longAgo.plusSeconds(3600))), Updates.inc("version", 1L)));

        int replicas = 8;
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> sweeps = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            sweeps.add(pool.submit(() -> {
                start.await();
                lifecycle.expire(Customer.key(page, customer));
                return null;
            }));
        }
        start.countDown();
        for (Future<?> sweep : sweeps) {
            sweep.get();
        }
        pool.shutdown();
        await().atMost(Fixtures.WAIT).until(() -> fx.eventsOf(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer)
                .stream().anyMatch(e -> "no_response".equals(e.reason())));
        // the scheduled sweep runs every second too: still once over two more of its rounds
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> fx.eventsOf(events,
                CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer).stream()
                .filter(e -> "no_response".equals(e.reason())).count() == 1);
        Document after = stored.find(Filters.eq("_id", Customer.key(page, customer))).first();
        assertEquals(null, after.get("due_at"));
        events.close();
    }

    private void settings(String body) {
        as(fx.adminToken).body(body).put("/api/admin/settings").then().statusCode(200);
    }

    private String body() {
        return "{\"page_id\":\"" + page + "\"}";
    }

    private String body(String extra) {
        return "{\"page_id\":\"" + page + "\"," + extra + "}";
    }
}
