package dev.handover.messenger.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.ProducerRecord;

import dev.handover.events.AwaitedProducer;
import dev.handover.events.EventJson;
import dev.handover.events.InboundEvent;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;

/**
 * The Kafka edge out of the webhook spool: publishes to {@code messenger.inbound} and waits for Kafka's answer to
 * every record ({@link AwaitedProducer}), so that the spool retries exactly what Kafka did not take.
 */
@ApplicationScoped
public class InboundPublisher {

    /** What Kafka took of a publication, and why not the rest ({@code null} when it took everything). */
    public record Outcome(List<InboundEvent> acknowledged, Throwable failure) {
    }

    private final AwaitedProducer producer;
    private final KafkaClientMetrics producerMetrics;

    public InboundPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry metrics) {
        this.producer = AwaitedProducer.create(String.valueOf(kafka.get("bootstrap.servers")), "messenger-bridge-inbound",
                Duration.ofSeconds(3), Duration.ofSeconds(8));
        this.producerMetrics = new KafkaClientMetrics(producer.producer());
        producerMetrics.bindTo(metrics);
    }

    /**
     * Publishes the events in order, each with its trace ({@code traceparents}, by position, {@code null} for none),
     * and returns once Kafka answered each, with what it acknowledged.
     */
    public Outcome publish(List<InboundEvent> events, List<String> traceparents) throws InterruptedException {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            InboundEvent e = events.get(i);
            var record = new ProducerRecord<>(Topics.MESSENGER_INBOUND, Topics.conversationKey(e.pageId(), e.customerId()),
                    EventJson.write(e));
            TraceContext.put(record.headers(), traceparents.get(i));
            records.add(record);
        }
        AwaitedProducer.Outcome outcome = producer.publish(records);
        List<InboundEvent> acknowledged = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            if (outcome.taken()[i]) {
                acknowledged.add(events.get(i));
            }
        }
        return new Outcome(acknowledged, outcome.failure());
    }

    @PreDestroy
    void close() {
        producerMetrics.close();
        producer.close();
    }
}
