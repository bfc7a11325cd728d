package dev.handover.customer.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.PendingRecord;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.service.CustomerChanged;
import dev.handover.events.EventJson;
import dev.handover.events.Topics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Delivers customers' outboxes: Kafka records in the order they were decided, audit lines to the audit log.
 * A record leaves the outbox only once Kafka has acknowledged it, so a broker outage delays events and never
 * loses them; a retry after a crash may repeat one, which consumers absorb by its id.
 */
@ApplicationScoped
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final MutinyEmitter<String> events;
    private final MutinyEmitter<String> outbound;
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final Set<String> again = ConcurrentHashMap.newKeySet();

    public OutboxPublisher(CustomerRepository customers, AuditRepository audit,
            @Channel("customer-events") MutinyEmitter<String> events,
            @Channel("messenger-outbound") MutinyEmitter<String> outbound) {
        this.customers = customers;
        this.audit = audit;
        this.events = events;
        this.outbound = outbound;
    }

    void onChange(@ObservesAsync CustomerChanged change) {
        drain(change.customerKey());
    }

    @Scheduled(every = "{handover.outbox.retry-interval}", delayed = "{handover.outbox.retry-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        customers.withPending().forEach(this::drain);
    }

    /**
     * Delivers the outbox of one customer. Changes that arrive while a drain of the same customer runs are
     * picked up by that drain, so records leave in the order they were decided.
     */
    void drain(String customerKey) {
        again.add(customerKey);
        while (again.contains(customerKey) && draining.add(customerKey)) {
            try {
                while (again.remove(customerKey)) {
                    drainOnce(customerKey);
                }
            } catch (RuntimeException e) {
                LOG.warnf("Outbox of %s not delivered yet, will retry: %s", customerKey, e.toString());
                return;
            } finally {
                draining.remove(customerKey);
            }
        }
    }

    private void drainOnce(String customerKey) {
        Customer customer = customers.findById(customerKey);
        if (customer == null || customer.pending.isEmpty()) {
            return;
        }
        List<PendingRecord> batch = List.copyOf(customer.pending);
        List<Uni<Void>> acks = new ArrayList<>();
        for (PendingRecord record : batch) {
            acks.add(deliver(record));
        }
        Uni.join().all(acks).andFailFast().await().atMost(ACK_TIMEOUT);
        Set<String> done = batch.stream().map(r -> r.recordId).collect(java.util.stream.Collectors.toSet());
        customers.change(customerKey, null, c -> c != null && c.pending.removeIf(r -> done.contains(r.recordId))
                ? new Decision.Write<>(null) : new Decision.Keep<>(null));
    }

    private Uni<Void> deliver(PendingRecord record) {
        return switch (record.target) {
            case PendingRecord.AUDIT_LOG -> Uni.createFrom().item(() -> {
                audit.write(read(record.payload));
                return null;
            });
            case Topics.CUSTOMER_EVENTS -> send(events, record);
            case Topics.MESSENGER_OUTBOUND -> send(outbound, record);
            default -> Uni.createFrom().failure(new IllegalStateException("unknown outbox target " + record.target));
        };
    }

    private static Uni<Void> send(MutinyEmitter<String> emitter, PendingRecord record) {
        return emitter.sendMessage(Message.of(record.payload)
                .addMetadata(OutgoingKafkaRecordMetadata.<String>builder().withKey(record.key).build()));
    }

    private static AuditEntry read(String json) {
        try {
            return EventJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), AuditEntry.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
