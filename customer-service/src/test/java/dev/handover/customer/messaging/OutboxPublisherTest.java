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

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

import dev.handover.customer.RecordedCommands;
import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.service.Outbox;
import dev.handover.events.CustomerEventType;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Outboxes waiting at the same time are delivered together: their audit lines in one database command, their
 * records to Kafka in one go, their drains in one command, counted with the driver's command listener.
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

    @Test
    void outboxesWaitingTogetherAreDeliveredInOneAuditWriteAndOneDrainWrite() {
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
                Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, null);
                Outbox.audit(c, "profile_updated", Outbox.SYSTEM, null, Map.of("notes", "batch"), null, now);
                return new Decision.Write<>(null);
            });
            events.add(customers.findById(fresh.id).pending.get(0).recordId);
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
        List<RecordedCommands.Command> mine = await().atMost(Duration.ofSeconds(15)).until(() -> recorded.documents()
                .subList(from, recorded.documents().size()).stream()
                .filter(c -> c.body().toJson().contains("batch-" + run)).toList(),
                commands -> commands.stream().anyMatch(c -> isUpdate(c, "customers")));
        long audits = mine.stream().filter(c -> isUpdate(c, "audit_log")).count();
        long drains = mine.stream().filter(c -> isUpdate(c, "customers")).count();
        assertTrue(audits >= 1 && audits <= 2, CUSTOMERS + " outboxes' audit lines took " + audits + " commands");
        assertTrue(drains >= 1 && drains <= 2, CUSTOMERS + " outboxes' drains took " + drains + " commands");
        assertEquals(0, mine.stream().filter(c -> "find".equals(c.name())).count(),
                "an outbox written here is drained without reading its customer");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> keys.stream().allMatch(key -> customers.findById(key).pending.isEmpty()));
        published.close();
    }

    private static boolean isUpdate(RecordedCommands.Command command, String collection) {
        return "update".equals(command.name()) && collection.equals(command.collection());
    }
}
