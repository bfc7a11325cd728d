package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.service.QueueService;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * How many database commands one customer message and one agent message cost, counted with the driver's command
 * listener (every command that names the customer, plus page look-ups): a customer's message reads the page once
 * per few seconds, not per message, and an outbox written here is drained without reading the customer again.
 * Counts, never timings; the figures are in README's Performance section.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class RoundTripsTest {

    KafkaCompanion companion;

    @Inject
    RecordedCommands recorded;

    @Inject
    QueueService queue;

    @Inject
    CustomerRepository customers;

    @Test
    void aNewCustomerAskingForAHumanAndAnAgentMessageCostAFewCommands() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        fx.waitingCustomer(page); // the page is read once here, then remembered

        int before = recorded.documents().size();
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "I want to talk to a human please");
        Map<String, Long> intake = await().atMost(Fixtures.WAIT).until(() -> count(before, customer, page),
                counts -> counts.containsKey("update customers") && settled(customer, before));
        System.out.println("A new customer asking for a human: " + intake);
        assertEquals(0L, intake.getOrDefault("find pages", 0L), "the page is read again: " + intake);
        assertEquals(0L, intake.getOrDefault("find customers", 0L), "a new customer is read before insertion: " + intake);
        // insert the customer, insert the message, the audit line, the outbox drained in one write
        assertTrue(total(intake) <= 4, "more commands than the customer, message, audit and outbox need: " + intake);

        String agent = TestTokens.agent("alice", fx.company);
        int beforeAssign = recorded.documents().size();
        as(agent).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + customer + "/assign").then()
                .statusCode(200);
        await().atMost(Fixtures.WAIT).until(() -> settled(customer, beforeAssign));
        Map<String, Long> first = agentMessage(agent, page, customer, "Hello");
        System.out.println("An agent's first message (their first response, audited): " + first);
        // the page checked against the agent's company from memory (read by the assignment), the message inserted
        // with its send deadline, the customer written (as this replica remembers them), the first response's audit
        // line, the outbox drained (the last two shared by every outbox delivered within the settle interval)
        assertEquals(0L, first.getOrDefault("find pages", 0L), "the page is read again: " + first);
        assertEquals(0L, first.getOrDefault("find customers", 0L), "the customer this replica wrote is read: " + first);
        assertTrue(total(first) <= 4, "more commands than an agent's first message needs: " + first);
        assertEquals(1L, first.getOrDefault("update audit_log", 0L), "the first response is audited: " + first);

        Map<String, Long> next = agentMessage(agent, page, customer, "How can I help?");
        System.out.println("An agent message: " + next);
        // the message, the customer, the outbox drained: later messages are in the history, not in the audit log
        assertEquals(0L, next.getOrDefault("update audit_log", 0L), "a later message is audited: " + next);
        assertTrue(total(next) <= 3, "more commands than an agent message needs: " + next);
    }

    /** An agent message through REST, and the commands it cost once its outbox was drained. */
    private Map<String, Long> agentMessage(String agent, String page, String customer, String text) {
        int beforeSend = recorded.documents().size();
        as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"" + text + "\"}").post("/api/dashboard/customers/"
                + customer + "/messages").then().statusCode(200);
        return await().atMost(Fixtures.WAIT).until(() -> count(beforeSend, customer, page), counts -> settled(customer, beforeSend));
    }

    /**
     * What this replica remembers of a customer is a guess that only a write confirms: a change another replica made
     * since (simulated by writing the database directly) is read before a refusal, and a write on the old version
     * loses and is decided again, keeping the other replica's change.
     */
    @Test
    void aChangeAnotherReplicaMadeIsSeenBeforeARefusalAndKeptByTheNextWrite() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String customer = fx.waitingCustomer(page);
        String key = Customer.key(page, customer);
        as(TestTokens.agent("alice", fx.company)).body("{\"page_id\":\"" + page + "\"}")
                .post("/api/dashboard/customers/" + customer + "/assign").then().statusCode(200);
        await().atMost(Fixtures.WAIT).until(() -> customers.findById(key).pending.isEmpty());
        // another replica releases alice's customer and writes a note
        customers.mongoCollection().updateOne(Filters.eq("_id", key), Updates.combine(Updates.set("agent_id", null),
                Updates.set("agent_name", null), Updates.set("agent_email", null), Updates.set("notes", "from elsewhere"),
                Updates.inc("version", 1)));

        String bob = TestTokens.agent("bob", fx.company);
        as(bob).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + customer + "/assign").then()
                .statusCode(200).body("agent_id", equalTo("bob"));
        Customer stored = customers.findById(key);
        assertEquals("bob", stored.agentId);
        assertEquals("from elsewhere", stored.notes, "the other replica's change was written over");
    }

    @Test
    void theCompanysPaceOfAssignmentsIsCountedOnceForManyRequestsAndAgainAfterAnAssignment() {
        var fx = new Fixtures(companion);
        Customer waiting = new Customer();
        waiting.id = Fixtures.id("waiting");
        waiting.companyId = fx.company;
        waiting.stop = true;
        waiting.stoppedAt = Instant.now();
        int before = recorded.documents().size();
        queue.of(waiting);
        queue.of(waiting);
        queue.of(waiting);
        assertEquals(1L, paceCounts(before, fx.company), "the estimated wait's pace is read once, then remembered");
        queue.assignmentRecorded(fx.company);
        queue.of(waiting);
        assertEquals(2L, paceCounts(before, fx.company), "an assignment recorded here is counted at once");
    }

    /** Reads of the company's audit log (its assignments of the last hour) since {@code from}. */
    private long paceCounts(int from, String company) {
        return recorded.documentsSince(from).stream()
                .filter(c -> "audit_log".equals(c.collection()) && !"insert".equals(c.name())
                        && c.body().toJson().contains(company))
                .count();
    }

    /** The outbox of the customer was drained (its last write cleared the pending records). */
    private boolean settled(String customer, int from) {
        List<RecordedCommands.Command> mine = recorded.documentsSince(from).stream()
                .filter(c -> "update".equals(c.name()) && "customers".equals(c.collection())
                        && c.body().toJson().contains(customer))
                .toList();
        return !mine.isEmpty() && mine.get(mine.size() - 1).body().toJson().contains("\"has_pending\": false");
    }

    /** Commands since {@code from} that name the customer, and every page look-up, by command and collection. */
    private Map<String, Long> count(int from, String customer, String page) {
        return recorded.documentsSince(from).stream()
                .filter(c -> c.body().toJson().contains(customer) || "pages".equals(c.collection()) && c.body().toJson()
                        .contains(page))
                .collect(Collectors.groupingBy(c -> c.name() + " " + c.collection(), TreeMap::new, Collectors.counting()));
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
