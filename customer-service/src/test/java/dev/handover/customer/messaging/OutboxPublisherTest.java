package dev.handover.customer.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

import dev.handover.customer.RecordedCommands;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.service.CustomerChanged;
import dev.handover.customer.service.Outbox;
import dev.handover.events.CustomerEventType;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Outboxes waiting at the same time are delivered together: their history messages in one database command, their
 * audit lines in one, their records to Kafka in one go, their drains in one command, counted with the driver's
 * command listener.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class OutboxPublisherTest {

    private static final int CUSTOMERS = 40;

    KafkaCompanion companion;

    @Inject
    CustomerRepository customers;
    @Inject
    OutboxPublisher publisher;
    @Inject
    RecordedCommands recorded;
    @Inject
    MessageRepository messages;
    @Inject
    Event<CustomerChanged> changed;

    @Test
    void outboxesWaitingTogetherAreDeliveredInOneWriteOfEachKind() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String company = "co-" + run;
        List<String> keys = new ArrayList<>();
        List<String> events = new ArrayList<>();
        // changes stored without telling the publisher, as a process that died before delivering leaves them
        for (int i = 0; i < CUSTOMERS; i++) {
            Customer fresh = new Customer();
            fresh.customerId = "batch-" + run + "-" + i;
            fresh.pageId = "page-" + run;
            fresh.companyId = company;
            fresh.id = Customer.key(fresh.pageId, fresh.customerId);
            keys.add(fresh.id);
            customers.change(fresh.id, () -> fresh, c -> {
                Instant now = Instant.now();
                c.updatedAt = now;
                Message said = new Message();
                said.id = "m-" + c.customerId;
                said.companyId = company;
                said.pageId = c.pageId;
                said.customerId = c.customerId;
                said.direction = Message.INBOUND;
                said.text = "hello from " + c.customerId;
                said.createdAt = now;
                Outbox.message(c, said);
                Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, null);
                Outbox.audit(c, "profile_updated", Outbox.SYSTEM, null, Map.of("notes", "batch"), null, now);
                return new Decision.Write<>(null);
            });
            events.add(customers.findById(fresh.id).pending.get(1).recordId);
        }
        var published = companion.consume(String.class, byte[].class).withGroupId("batch-" + run)
                .withOffsetReset(OffsetResetStrategy.EARLIEST).fromTopics(Topics.CUSTOMER_EVENTS);
        int from = recorded.documents().size();

        publisher.sweep();

        await().atMost(Duration.ofSeconds(15)).until(() -> {
            String seen = String.join("\n", published.getRecords().stream()
                    .map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList());
            return events.stream().allMatch(seen::contains);
        });
        List<RecordedCommands.Command> mine = await().atMost(Duration.ofSeconds(15))
                .until(() -> recorded.documentsSince(from).stream()
                        .filter(c -> c.body().toJson().contains("batch-" + run)).toList(),
                        commands -> commands.stream().anyMatch(c -> isUpdate(c, "customers")));
        long audits = mine.stream().filter(c -> isUpdate(c, "audit_log")).count();
        long inserts = mine.stream().filter(c -> "insert".equals(c.name()) && "messages".equals(c.collection())).count();
        assertTrue(inserts >= 1 && inserts <= 2, CUSTOMERS + " outboxes' messages took " + inserts + " commands");
        long drains = mine.stream().filter(c -> isUpdate(c, "customers")).count();
        assertTrue(audits >= 1 && audits <= 2, CUSTOMERS + " outboxes' audit lines took " + audits + " commands");
        assertTrue(drains >= 1 && drains <= 2, CUSTOMERS + " outboxes' drains took " + drains + " commands");
        assertEquals(0, mine.stream().filter(c -> "find".equals(c.name())).count(),
                "an outbox written here is drained without reading its customer");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> keys.stream().allMatch(key -> customers.findById(key).pending.isEmpty()));
        for (int i = 0; i < CUSTOMERS; i++) {
            assertEquals("hello from batch-" + run + "-" + i, messages.findById("m-batch-" + run + "-" + i).text);
        }
        published.close();
    }

    /**
     * Outboxes delivered one after the other are taken out together ({@code handover.outbox.settle-interval}); a
     * change that comes between a delivery and its taking out publishes only its own records, never the earlier
     * ones again.
     */
    @Test
    void outboxesDeliveredOneByOneAreTakenOutTogetherAndNothingIsPublishedTwice() {
        String run = UUID.randomUUID().toString().substring(0, 8);
        var published = companion.consume(String.class, byte[].class).withGroupId("settle-" + run)
                .withOffsetReset(OffsetResetStrategy.EARLIEST).fromTopics(Topics.CUSTOMER_EVENTS);
        int from = recorded.documents().size();
        List<String> keys = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String key = Customer.key("page-" + run, "settle-" + run + "-" + i);
            keys.add(key);
            events.add(changeAndTell(key, "co-" + run));
        }
        // the first customer again, before what was delivered of them is taken out
        events.add(changeAndTell(keys.get(0), "co-" + run));

        await().atMost(Duration.ofSeconds(15)).until(() -> {
            String seen = seen(published);
            return events.stream().allMatch(seen::contains);
        });
        await().atMost(Duration.ofSeconds(15))
                .until(() -> keys.stream().allMatch(key -> customers.findById(key).pending.isEmpty()));
        // ten inserts and one replace stored the changes; every other write took delivered records out
        long takenOut = recorded.documentsSince(from).stream()
                .filter(c -> isUpdate(c, "customers") && c.body().toJson().contains("settle-" + run)).count() - 1;
        assertTrue(takenOut >= 1 && takenOut <= 3, "11 delivered outboxes took " + takenOut + " writes to take out");
        String seen = seen(published);
        for (String event : events) {
            assertEquals(seen.indexOf(event), seen.lastIndexOf(event), "event " + event + " published twice");
        }
        published.close();
    }

    /** Stores a change of the customer with one event, and tells the publisher; answers the event's id. */
    private String changeAndTell(String key, String company) {
        String[] event = new String[1];
        customers.change(key, () -> {
            Customer fresh = new Customer();
            fresh.id = key;
            fresh.customerId = key.substring(key.indexOf(':') + 1);
            fresh.pageId = key.substring(0, key.indexOf(':'));
            fresh.companyId = company;
            return fresh;
        }, c -> {
            Instant now = Instant.now();
            c.updatedAt = now;
            Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, null);
            event[0] = c.pending.get(c.pending.size() - 1).recordId;
            return new Decision.Write<>(null);
        });
        changed.fire(new CustomerChanged(key));
        return event[0];
    }

    private static String seen(ConsumerTask<String, byte[]> published) {
        return String.join("\n", published.getRecords().stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .toList());
    }

    private static boolean isUpdate(RecordedCommands.Command command, String collection) {
        return "update".equals(command.name()) && collection.equals(command.collection());
    }
}
