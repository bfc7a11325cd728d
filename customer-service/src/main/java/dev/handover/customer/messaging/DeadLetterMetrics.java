package dev.handover.customer.messaging;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.jboss.logging.Logger;

import dev.handover.events.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.annotation.Identifier;

/**
 * How many records the dead-letter topics hold ({@code handover_dlq_records{topic}}): the sum over partitions of
 * the latest offset minus the earliest, so the figure falls when retention (or an operator's
 * {@code kafka-delete-records}) removes what was replayed. A rate of records moved there says something went wrong
 * recently; this says something is still waiting for an operator. A topic not created yet holds none; a broker that
 * does not answer leaves the last figure.
 */
@ApplicationScoped
@Startup
public class DeadLetterMetrics {

    private static final Logger LOG = Logger.getLogger(DeadLetterMetrics.class);
    private static final List<String> TOPICS = List.of(Topics.MESSENGER_INBOUND_DLQ, Topics.MESSENGER_DELIVERY_DLQ);
    private static final int TIMEOUT_MS = 5_000;

    private final Admin admin;
    private final Map<String, AtomicLong> records = new ConcurrentHashMap<>();

    public DeadLetterMetrics(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry registry) {
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, String.valueOf(kafka.get("bootstrap.servers")),
                AdminClientConfig.CLIENT_ID_CONFIG, "customer-service-dlq-metrics",
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_MS,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, TIMEOUT_MS));
        for (String topic : TOPICS) {
            AtomicLong held = new AtomicLong();
            records.put(topic, held);
            Gauge.builder("handover.dlq.records", held, AtomicLong::get).tag("topic", topic)
                    .description("Records a dead-letter topic holds, waiting for an operator").register(registry);
        }
    }

    @Scheduled(every = "{handover.metrics.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void count() {
        for (String topic : TOPICS) {
            try {
                records.get(topic).set(held(topic));
            } catch (ExecutionException e) {
                if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                    records.get(topic).set(0);
                } else {
                    LOG.debugf("Could not count %s: %s", topic, e.getCause());
                }
            } catch (TimeoutException e) {
                LOG.debugf("Could not count %s within %d ms", topic, TIMEOUT_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private long held(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)
                .get(topic);
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> {
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
        });
        ListOffsetsOptions options = new ListOffsetsOptions();
        var first = admin.listOffsets(earliest, options).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        var end = admin.listOffsets(latest, options).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        long held = 0;
        for (var partition : end.entrySet()) {
            held += partition.getValue().offset() - first.get(partition.getKey()).offset();
        }
        return held;
    }

    @PreDestroy
    void close() {
        admin.close(java.time.Duration.ofSeconds(2));
    }
}
