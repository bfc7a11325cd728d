package dev.handover.customer.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.jboss.logging.Logger;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.PendingRecord;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.service.CustomerChanged;
import dev.handover.events.AwaitedProducer;
import dev.handover.events.EventJson;
import dev.handover.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;

/**
 * Delivers customers' outboxes: Kafka records in the order they were decided, audit lines to the audit log.
 * A record leaves the outbox only once Kafka has acknowledged it, so a broker outage delays events and never
 * loses them; a retry after a crash may repeat one, which consumers absorb by its id. Outboxes are delivered on
 * their own threads ({@code handover.outbox.threads}), so requests never wait for Kafka, and each customer's
 * outbox is bounded ({@code handover.outbox.max-pending}).
 */
@ApplicationScoped
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final AwaitedProducer producer;
    private final KafkaClientMetrics producerMetrics;
    private final Set<String> draining = ConcurrentHashMap.newKeySet();
    private final Set<String> again = ConcurrentHashMap.newKeySet();
    /** Customers waiting for a drain thread, each once: the queue is bounded by the customers with an outbox. */
    private final Set<String> queued = ConcurrentHashMap.newKeySet();
    /** Customers whose last delivery failed: what {@link #retry()} tries again. */
    private final Set<String> failed = ConcurrentHashMap.newKeySet();
    private final ExecutorService drainers;

    public OutboxPublisher(CustomerRepository customers, AuditRepository audit, CustomerServiceConfig config,
            @Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry metrics) {
        this.customers = customers;
        this.audit = audit;
        // a broker that is away fails a drain within 2 s; one that does not answer, within 10 s
        this.producer = AwaitedProducer.create(String.valueOf(kafka.get("bootstrap.servers")), "customer-service-outbox",
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        this.producerMetrics = new KafkaClientMetrics(producer.producer());
        producerMetrics.bindTo(metrics);
        AtomicInteger names = new AtomicInteger();
        this.drainers = Executors.newFixedThreadPool(Math.max(1, config.outbox().threads()), task -> {
            Thread thread = new Thread(task, "outbox-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    void onChange(@Observes CustomerChanged change) {
        submit(change.customerKey());
    }

    /**
     * Tries again the outboxes whose delivery failed here. Driven by what failed, not by a query: a periodic
     * search for pending outboxes would read every customer ever stored on a store without secondary indexes.
     */
    @Scheduled(every = "{handover.outbox.retry-interval}", delayed = "{handover.outbox.retry-interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void retry() {
        List.copyOf(failed).forEach(this::submit);
    }

    /**
     * Finds outboxes nobody here knows about: left by a process that died between its write and its delivery.
     * At start and then rarely ({@code handover.outbox.sweep-interval}).
     */
    @Scheduled(every = "{handover.outbox.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        customers.withPending().forEach(this::submit);
    }

    /** Hands a customer's outbox to the drain threads; never blocks the caller (a request or the scheduler). */
    private void submit(String customerKey) {
        if (queued.add(customerKey)) {
            try {
                drainers.execute(() -> {
                    queued.remove(customerKey);
                    drain(customerKey);
                });
            } catch (RejectedExecutionException e) {
                queued.remove(customerKey); // shutting down: the next start's retry delivers it
            }
        }
    }

    @PreDestroy
    void stop() {
        drainers.shutdownNow();
        producerMetrics.close();
        producer.close();
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
                failed.remove(customerKey);
            } catch (RuntimeException e) {
                failed.add(customerKey);
                LOG.warnf("Outbox of %s not delivered yet, will retry: %s", customerKey, e.toString());
                return;
            } catch (InterruptedException e) {
                failed.add(customerKey);
                Thread.currentThread().interrupt();
                return;
            } finally {
                draining.remove(customerKey);
            }
        }
    }

    private void drainOnce(String customerKey) throws InterruptedException {
        Customer customer = customers.findById(customerKey);
        if (customer == null || customer.pending.isEmpty()) {
            return;
        }
        Set<String> done = new HashSet<>();
        List<PendingRecord> toKafka = new ArrayList<>();
        for (PendingRecord record : List.copyOf(customer.pending)) {
            switch (record.target) {
                case PendingRecord.AUDIT_LOG -> {
                    audit.write(read(record.payload));
                    done.add(record.recordId);
                }
                case Topics.CUSTOMER_EVENTS, Topics.MESSENGER_OUTBOUND -> toKafka.add(record);
                default -> {
                    LOG.errorf("Dropping outbox record %s of %s with unknown target %s", record.recordId, customerKey,
                            record.target);
                    done.add(record.recordId);
                }
            }
        }
        AwaitedProducer.Outcome outcome = producer.publish(toKafka.stream().map(r -> new ProducerRecord<>(r.target, r.key,
                r.payload.getBytes(StandardCharsets.UTF_8))).toList());
        for (int i = 0; i < toKafka.size(); i++) {
            if (outcome.taken()[i]) {
                done.add(toKafka.get(i).recordId);
            }
        }
        customers.change(customerKey, null, c -> c != null && c.pending.removeIf(r -> done.contains(r.recordId))
                ? new Decision.Write<>(null) : new Decision.Keep<>(null));
        if (!outcome.complete()) {
            throw new IllegalStateException("Kafka took " + done.size() + " of " + customer.pending.size() + " records",
                    outcome.failure());
        }
    }

    private static AuditEntry read(String json) {
        try {
            return EventJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), AuditEntry.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
