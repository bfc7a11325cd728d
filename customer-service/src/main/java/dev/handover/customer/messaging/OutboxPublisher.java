package dev.handover.customer.messaging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
import dev.handover.customer.model.Message;
import dev.handover.customer.model.PendingRecord;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.repository.MessageRepository;
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
 * Delivers the outboxes of customers and agents: messages to the history, then Kafka records in the order they were
 * decided; what was delivered leaves the outboxes, with the audit lines they owe, every few hundred milliseconds in
 * one write for all of them ({@link #settle()}). A record leaves the outbox only once Kafka has acknowledged it, so
 * a broker outage delays events and never loses them; a retry after a crash may repeat one, which consumers absorb
 * by its id. Outboxes are delivered on their own threads ({@code handover.outbox.threads}), so requests never wait
 * for Kafka, and each customer's outbox is bounded ({@code handover.outbox.max-pending}). A record's publication is
 * a span of the trace that decided it, and the record carries that trace to its consumers.
 */
@ApplicationScoped
public class OutboxPublisher {

    private static final Logger LOG = Logger.getLogger(OutboxPublisher.class);
    /** Outboxes one drain delivers together at most. */
    static final int BATCH = 200;

    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final MessageRepository messages;
    private final AwaitedProducer producer;
    private final KafkaClientMetrics producerMetrics;
    private final AgentRepository agents;
    private final Set<Owner> draining = ConcurrentHashMap.newKeySet();
    private final Set<Owner> again = ConcurrentHashMap.newKeySet();
    /** Outboxes waiting for a drain thread, each once: the queue is bounded by the documents with an outbox. */
    private final Set<Owner> queued = ConcurrentHashMap.newKeySet();
    private final Queue<Owner> waiting = new ConcurrentLinkedQueue<>();
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
    /**
     * Records of a customer's outbox that drains delivered and that are still in it: as the outbox was written when
     * known from memory, and the audit lines among them, still to write.
     */
    record Settling(Optional<CustomerRepository.Written> was, Set<String> done, List<AuditEntry> lines) {
        Settling and(Settling later) {
            Set<String> all = new HashSet<>(done);
            all.addAll(later.done());
            List<AuditEntry> owed = new ArrayList<>(lines);
            owed.addAll(later.lines());
            return new Settling(later.was(), all, owed);
        }
    }

    /** By customer: what drains delivered and {@link #settle()} takes out of their outboxes. */
    private final Map<String, Settling> settling = new ConcurrentHashMap<>();
    private final ScheduledExecutorService settler;
    /** Milliseconds from a first delivered record to the write that takes it out ({@code settle-interval}). */
    private final long settleEvery;
    /** Whether a settle is scheduled: one is, whenever something waits to be settled, and none on a quiet day. */
    private final AtomicBoolean settleScheduled = new AtomicBoolean();
    private final ExecutorService drainers;
    private final Spans spans;
    private final QueueService queue;

    public OutboxPublisher(CustomerRepository customers, AgentRepository agents, AuditRepository audit,
            MessageRepository messages,
            CustomerServiceConfig config, @Identifier("default-kafka-broker") Map<String, Object> kafka,
            MeterRegistry metrics, Spans spans, QueueService queue) {
        this.spans = spans;
        this.queue = queue;
        this.customers = customers;
        this.agents = agents;
        this.audit = audit;
        this.messages = messages;
        // a broker that is away fails a drain within 2 s; one that does not answer, within 10 s
        this.producer = AwaitedProducer.create(String.valueOf(kafka.get("bootstrap.servers")), "customer-service-outbox",
                Duration.ofSeconds(2), Duration.ofSeconds(10));
        this.producerMetrics = new KafkaClientMetrics(producer.producer());
        producerMetrics.bindTo(metrics);
        AtomicInteger names = new AtomicInteger();
        this.settler = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "outbox-settle");
            thread.setDaemon(true);
            return thread;
        });
        this.settleEvery = Math.max(1, config.outbox().settleInterval().toMillis());
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
        submit(List.copyOf(failed));
    }

    /**
     * Finds outboxes nobody here knows about: left by a process that died between its write and its delivery.
     * At start and then rarely ({@code handover.outbox.sweep-interval}).
     */
    @Scheduled(every = "{handover.outbox.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        submit(customers.withPending().stream().map(Owner::customer).toList());
        submit(agents.withPending().stream().map(Owner::agent).toList());
    }

    /** Hands an outbox to the drain threads; never blocks the caller (a request or the scheduler). */
    private void submit(Owner owner) {
        submit(List.of(owner));
    }

    /** Hands outboxes to the drain threads, all waiting before any drain starts, so that they go together. */
    private void submit(List<Owner> owners) {
        int added = 0;
        for (Owner owner : owners) {
            if (queued.add(owner)) {
                waiting.add(owner);
                added++;
            }
        }
        try {
            for (int drains = (added + BATCH - 1) / BATCH; drains > 0; drains--) {
                drainers.execute(this::drainWaiting);
            }
        } catch (RejectedExecutionException e) {
            queued.removeAll(owners); // shutting down: the next start's sweep delivers them
        }
    }

    @PreDestroy
    void stop() {
        drainers.shutdownNow();
        settler.shutdownNow();
        settle();
        producerMetrics.close();
        producer.close();
    }

    /**
     * Delivers every outbox waiting (up to {@value #BATCH}) together: their history messages in one command, their
     * records in one go to Kafka, so that under load each costs a fraction of a database command. An outbox that is
     * being delivered by another thread is left to it: changes that arrive while a drain of the same document runs
     * are picked up by that drain, so records leave in the order they were decided.
     */
    private void drainWaiting() {
        List<Owner> claimed = new ArrayList<>();
        for (Owner owner; claimed.size() < BATCH && (owner = waiting.poll()) != null;) {
            queued.remove(owner);
            again.add(owner);
            if (draining.add(owner)) {
                claimed.add(owner);
            }
        }
        List<Owner> mine = new ArrayList<>(claimed);
        try {
            List<Owner> round;
            while (!(round = mine.stream().filter(again::remove).toList()).isEmpty()) {
                Set<Owner> undelivered = drainOnce(round);
                round.forEach(owner -> {
                    if (undelivered.contains(owner)) {
                        failed.add(owner);
                    } else {
                        failed.remove(owner);
                    }
                });
                mine.removeAll(undelivered);
            }
        } catch (RuntimeException e) {
            failed.addAll(mine);
            LOG.warnf("Outboxes of %s not delivered yet, will retry: %s", mine.stream().map(Owner::id).toList(),
                    e.toString());
        } catch (InterruptedException e) {
            failed.addAll(mine);
            Thread.currentThread().interrupt();
        } finally {
            claimed.forEach(draining::remove);
        }
        // a change that came after the last round and before the drain let go is delivered by a new one
        claimed.stream().filter(owner -> again.contains(owner) && !failed.contains(owner)).forEach(this::submit);
    }

    /**
     * One delivery of the outboxes of {@code owners}; answers those Kafka did not take every record of. What a
     * customer's outbox delivered is taken out of it later, by {@link #settle()}, with its audit lines.
     */
    private Set<Owner> drainOnce(List<Owner> owners) throws InterruptedException {
        Map<Owner, Optional<CustomerRepository.Written>> known = new HashMap<>();
        Map<Owner, Set<String>> done = new HashMap<>();
        Map<Owner, List<AuditEntry>> lines = new HashMap<>();
        List<Message> history = new ArrayList<>();
        List<PendingRecord> toKafka = new ArrayList<>();
        List<Owner> publishers = new ArrayList<>();
        for (Owner owner : owners) {
            // read before the outbox: settle() updates what is remembered (and stored) before it lets go of an entry
            Settling before = owner.agent() ? null : settling.get(owner.id());
            // what this replica wrote last spares the read; a customer changed elsewhere since is read after all
            Optional<CustomerRepository.Written> written = owner.agent() ? Optional.empty() : customers.written(owner.id());
            known.put(owner, written);
            Set<String> delivered = new HashSet<>();
            done.put(owner, delivered);
            List<AuditEntry> owed = new ArrayList<>();
            lines.put(owner, owed);
            for (PendingRecord record : written.map(CustomerRepository.Written::pending).orElseGet(() -> pending(owner))) {
                if (before != null && before.done().contains(record.recordId)) {
                    continue; // delivered by an earlier drain, not taken out yet
                }
                switch (record.target) {
                    case PendingRecord.AUDIT_LOG -> {
                        owed.add(read(record.payload, AuditEntry.class));
                        delivered.add(record.recordId);
                    }
                    case PendingRecord.MESSAGES -> {
                        history.add(read(record.payload, Message.class));
                        delivered.add(record.recordId);
                    }
                    case Topics.CUSTOMER_EVENTS, Topics.MESSENGER_OUTBOUND -> {
                        toKafka.add(record);
                        publishers.add(owner);
                    }
                    default -> {
                        LOG.errorf("Dropping outbox record %s of %s with unknown target %s", record.recordId, owner.id(),
                                record.target);
                        delivered.add(record.recordId);
                    }
                }
            }
        }
        // the history first: an event (or a send, and then its receipts) never arrives before its message
        messages.insertAll(history);
        Set<Owner> undelivered = new HashSet<>();
        if (!toKafka.isEmpty()) {
            AwaitedProducer.Outcome outcome = publish(toKafka);
            for (int i = 0; i < toKafka.size(); i++) {
                if (outcome.taken()[i]) {
                    done.get(publishers.get(i)).add(toKafka.get(i).recordId);
                } else {
                    undelivered.add(publishers.get(i));
                }
            }
            if (!outcome.complete()) {
                LOG.warnf("Outboxes of %s not delivered yet, will retry: %s", undelivered.stream().map(Owner::id).toList(),
                        String.valueOf(outcome.failure()));
            }
        }
        for (Owner owner : owners) {
            Set<String> delivered = done.get(owner);
            if (delivered.isEmpty()) {
                continue;
            }
            if (owner.agent()) {
                writeAudit(lines.get(owner));
                agents.change(owner.id(), a -> a.pending.removeIf(r -> delivered.contains(r.recordId)));
            } else {
                settling.merge(owner.id(), new Settling(known.get(owner), delivered, lines.get(owner)), Settling::and);
                settleLater();
            }
        }
        return undelivered;
    }

    /** Schedules a settle unless one is: what is delivered now waits at most one interval to be taken out. */
    private void settleLater() {
        if (settleScheduled.compareAndSet(false, true)) {
            try {
                settler.schedule(this::scheduledSettle, settleEvery, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                settleScheduled.set(false); // shutting down: stop() settles what is left
            }
        }
    }

    /** A scheduled settle; what it could not write yet, or what came meanwhile, is settled an interval later. */
    private void scheduledSettle() {
        settleScheduled.set(false);
        settle();
        if (!settling.isEmpty()) {
            settleLater();
        }
    }

    /**
     * Takes what drains delivered out of the customers' outboxes, {@code handover.outbox.settle-interval} after the first
     * of them was delivered: their audit lines in one write, then one version-checked write for all the outboxes this
     * replica wrote last (any other is read and written). Until then a drain skips those records; after a crash the
     * next process delivers them again, which consumers absorb by their ids.
     */
    void settle() {
        Map<String, Settling> batch = new HashMap<>(settling);
        if (batch.isEmpty()) {
            return;
        }
        try {
            writeAudit(batch.values().stream().flatMap(s -> s.lines().stream()).toList());
            List<CustomerRepository.Drain> drains = new ArrayList<>();
            Set<String> reread = new HashSet<>();
            batch.forEach((id, s) -> s.was().ifPresentOrElse(was -> drains.add(new CustomerRepository.Drain(id, was,
                    s.done())), () -> reread.add(id)));
            reread.addAll(customers.published(drains));
            for (String id : reread) {
                Set<String> delivered = batch.get(id).done();
                customers.change(id, null, c -> c != null && c.pending.removeIf(r -> delivered.contains(r.recordId))
                        ? new Decision.Write<>(null) : new Decision.Keep<>(null));
            }
            batch.forEach(settling::remove);
        } catch (RuntimeException e) {
            LOG.warnf("Delivered outbox records of %d customers not taken out yet, will retry: %s", batch.size(),
                    e.toString());
        }
    }

    private void writeAudit(List<AuditEntry> lines) {
        audit.write(lines);
        lines.stream().filter(line -> "assigned".equals(line.action())).map(AuditEntry::companyId).distinct()
                .forEach(queue::assignmentRecorded);
    }

    /** Sends the records to Kafka, each in a span of the trace that decided it, and waits for every answer. */
    private AwaitedProducer.Outcome publish(List<PendingRecord> pending) throws InterruptedException {
        List<Span> publications = new ArrayList<>();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (PendingRecord pendingRecord : pending) {
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
        try {
            AwaitedProducer.Outcome outcome = producer.publish(records);
            for (int i = 0; i < records.size(); i++) {
                if (!outcome.taken()[i]) {
                    publications.get(i).setStatus(StatusCode.ERROR, "not taken by Kafka");
                }
            }
            return outcome;
        } finally {
            publications.forEach(Span::end);
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

    private static <T> T read(String json, Class<T> type) {
        try {
            return EventJson.read(json.getBytes(StandardCharsets.UTF_8), type);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
