package dev.handover.messenger.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.handover.events.InboundEvent;
import dev.handover.events.JsonSerializer;
import dev.handover.events.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.smallrye.common.annotation.Identifier;

/**
 * The Kafka edge out of the webhook spool: publishes to {@code messenger.inbound} and waits for Kafka's answer to
 * every record. A plain producer rather than an emitter, because the spool retries what failed: a record must
 * either be in Kafka or certainly not on its way there when {@link #publish} returns (an emitter's buffer could
 * still hold it and publish it next to its retry).
 */
@ApplicationScoped
public class InboundPublisher {

    /** What Kafka took of a publication, and why not the rest ({@code null} when it took everything). */
    public record Outcome(List<InboundEvent> acknowledged, Throwable failure) {
    }

    private final KafkaProducer<String, Object> producer;
    private final KafkaClientMetrics producerMetrics;

    public InboundPublisher(@Identifier("default-kafka-broker") Map<String, Object> kafka, MeterRegistry metrics) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.get("bootstrap.servers"));
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "messenger-bridge-inbound");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // every record gets its answer within max.block.ms + delivery.timeout.ms (11 s), whatever Kafka does
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 8_000);
        config.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new JsonSerializer());
        this.producerMetrics = new KafkaClientMetrics(producer);
        producerMetrics.bindTo(metrics);
    }

    /**
     * Publishes every event and returns once Kafka answered each, with what it acknowledged; a caller retrying a
     * partly failed publication leaves those out.
     */
    public Outcome publish(List<InboundEvent> events) throws InterruptedException {
        if (events.isEmpty()) {
            return new Outcome(List.of(), null);
        }
        boolean[] taken = new boolean[events.size()];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch answered = new CountDownLatch(events.size());
        for (int i = 0; i < events.size(); i++) {
            InboundEvent event = events.get(i);
            int index = i;
            try {
                producer.send(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                        Topics.conversationKey(event.pageId(), event.customerId()), event), (metadata, error) -> {
                            if (error == null) {
                                taken[index] = true;
                            } else {
                                failure.compareAndSet(null, error);
                            }
                            answered.countDown();
                        });
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                answered.countDown();
            }
        }
        answered.await(); // bounded by the producer's own timeouts
        List<InboundEvent> acknowledged = new ArrayList<>();
        for (int i = 0; i < taken.length; i++) {
            if (taken[i]) { // written before the latch's count down, read after its await
                acknowledged.add(events.get(i));
            }
        }
        return new Outcome(acknowledged, failure.get());
    }

    @PreDestroy
    void close() {
        producerMetrics.close();
        producer.close(Duration.ofSeconds(5));
    }
}
