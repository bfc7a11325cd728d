package dev.handover.customer.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
import dev.handover.customer.model.Agent;
import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.PendingRecord;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.service.AgentChanged;
import dev.handover.customer.service.CustomerChanged;
import dev.handover.customer.service.QueueService;
import dev.handover.events.AwaitedProducer;
import dev.handover.events.EventJson;
import dev.handover.events.Spans;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;

/**
 * Delivers the outboxes of customers and agents: Kafka records in the order they were decided, audit lines to the audit log.
 * A record leaves the outbox only once Kafka has acknowledged it, so a broker outage delays events and never
 * loses them; a retry after a crash may repeat one, which consumers absorb by its id. Outboxes are delivered on
 * their own threads ({@code handover.outbox.threads}), so requests never wait for Kafka, and each customer's
 * outbox is bounded ({@code handover.outbox.max-pending}). A record's publication is a span of the trace that decided
 * it, and the record carries that trace to its consumers.
 */
@ApplicationScoped
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);

    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final AwaitedProducer producer;
    private final KafkaClientMetrics producerMetrics;
    private final AgentRepository agents;
    private final Set<Owner> draining = ConcurrentHashMap.newKeySet();
    private final Set<Owner> again = ConcurrentHashMap.newKeySet();
    /** Outboxes waiting for a drain thread, each once: the queue is bounded by the documents with an outbox. */
    private final Set<Owner> queued = ConcurrentHashMap.newKeySet();
    /** Outboxes whose last delivery failed: what {@link #retry()} tries again. */
    private final Set<Owner> failed = ConcurrentHashMap.newKeySet();

    /** A document with an outbox: a customer, or an agent (status changes). */
    record Owner(boolean agent, String id) {
        static Owner customer(String key) {
            return new Owner(false, key);
        }

        static Owner agent(String key) {
            return new Owner(true, key);
        }
    }
    private final ExecutorService drainers;
    private final Spans spans;
    private final QueueService queue;

    public OutboxPublisher(CustomerRepository customers, AgentRepository agents, AuditRepository audit,
            CustomerServiceConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            MeterRegistry metrics, Spans spans, QueueService queue) {
        this.spans = spans;
        this.queue = queue;
        this.customers = customers;
        this.agents = agents;
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
        submit(Owner.customer(change.customerKey()));
    }

    void onChange(@Observes AgentChanged change) {
        submit(Owner.agent(change.agentKey()));
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
        customers.withPending().forEach(key -> submit(Owner.customer(key)));
        agents.withPending().forEach(key -> submit(Owner.agent(key)));
    }

    /** Hands an outbox to the drain threads; never blocks the caller (a request or the scheduler). */
    private void submit(Owner owner) {
        if (queued.add(owner)) {
            try {
                drainers.execute(() -> {
                    queued.remove(owner);
                    drain(owner);
                });
            } catch (RejectedExecutionException e) {
                queued.remove(owner); // shutting down: the next start's retry delivers it
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
     * Delivers the outbox of one document. Changes that arrive while a drain of the same document runs are
     * picked up by that drain, so records leave in the order they were decided.
     */
    private void drain(Owner owner) {
        again.add(owner);
        while (again.contains(owner) && draining.add(owner)) {
            try {
                while (again.remove(owner)) {
                    drainOnce(owner);
                }
                failed.remove(owner);
            } catch (RuntimeException e) {
                failed.add(owner);
                LOG.warnf("Outbox of %s not delivered yet, will retry: %s", owner.id(), e.toString());
                return;
            } catch (InterruptedException e) {
                failed.add(owner);
                Thread.currentThread().interrupt();
                return;
            } finally {
                draining.remove(owner);
            }
        }
    }

    private void drainOnce(Owner owner) throws InterruptedException {
        // what this replica wrote last spares the read; a customer changed elsewhere since is read after all
        Optional<CustomerRepository.Written> known = owner.agent() ? Optional.empty() : customers.written(owner.id());
        List<PendingRecord> pending = known.map(CustomerRepository.Written::pending).orElseGet(() -> pending(owner));
        if (pending.isEmpty()) {
            return;
        }
        Set<String> done = new HashSet<>();
        List<PendingRecord> toKafka = new ArrayList<>();
        for (PendingRecord record : pending) {
            switch (record.target) {
                case PendingRecord.AUDIT_LOG -> {
                    AuditEntry entry = read(record.payload);
                    audit.write(entry);
                    if ("assigned".equals(entry.action())) {
                        queue.assignmentRecorded(entry.companyId());
                    }
                    done.add(record.recordId);
                }
                case Topics.CUSTOMER_EVENTS, Topics.MESSENGER_OUTBOUND -> toKafka.add(record);
                default -> {
                    LOG.errorf("Dropping outbox record %s of %s with unknown target %s", record.recordId, owner.id(),
                            record.target);
                    done.add(record.recordId);
                }
            }
        }
        List<Span> publications = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (PendingRecord pendingRecord : toKafka) {
            var record = new ProducerRecord<>(pendingRecord.target, pendingRecord.key,
                    pendingRecord.payload.getBytes(StandardCharsets.UTF_8));
            if (pendingRecord.traceparent != null) {
                Span span = publication(pendingRecord);
                publications.add(span);
                TraceContext.put(record.headers(), TraceContext.of(span.getSpanContext()));
            } else {
                publications.add(Span.getInvalid());
            }
            records.add(record);
        }
        AwaitedProducer.Outcome outcome;
        try {
            outcome = producer.publish(records);
            for (int i = 0; i < toKafka.size(); i++) {
                if (outcome.taken()[i]) {
                    done.add(toKafka.get(i).recordId);
                } else {
                    publications.get(i).setStatus(StatusCode.ERROR, "not taken by Kafka");
                }
            }
        } finally {
            publications.forEach(Span::end);
        }
        if (owner.agent()) {
            agents.change(owner.id(), a -> a.pending.removeIf(r -> done.contains(r.recordId)));
        } else if (known.isEmpty() || !customers.published(owner.id(), known.get(), done)) {
            customers.change(owner.id(), null, c -> c != null && c.pending.removeIf(r -> done.contains(r.recordId))
                    ? new Decision.Write<>(null) : new Decision.Keep<>(null));
        }
        if (!outcome.complete()) {
            throw new IllegalStateException("Kafka took " + done.size() + " of " + pending.size() + " records",
                    outcome.failure());
        }
    }

    /** The span of one record's way to Kafka, in the trace that decided it. */
    private Span publication(PendingRecord record) {
        Span span = spans.kafka(record.target, "publish", SpanKind.PRODUCER, record.traceparent);
        if (span.isRecording()) {
            span.setAttribute("handover.record_id", record.recordId);
        }
        return span;
    }

    private List<PendingRecord> pending(Owner owner) {
        if (owner.agent()) {
            Agent agent = agents.findById(owner.id());
            return agent == null ? List.of() : List.copyOf(agent.pending);
        }
        Customer customer = customers.findById(owner.id());
        return customer == null ? List.of() : List.copyOf(customer.pending);
    }

    private static AuditEntry read(String json) {
        try {
            return EventJson.read(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), AuditEntry.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
