package dev.handover.events;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A Kafka producer for outboxes and spools, which retry what Kafka did not take: {@link #publish} returns only
 * when Kafka answered every record it sent (each within the producer's own timeouts), saying which it took, so
 * that nothing the caller retries can still be on its way (an emitter's buffer could publish it next to its
 * retry). Once a record failed, the rest are not sent (a broker that is away would make each wait max.block.ms).
 */
public final class AwaitedProducer implements AutoCloseable {

    /** What Kafka took, by position, and why not the rest ({@code null} when it took everything). */
    public record Outcome(boolean[] taken, Throwable failure) {
        public boolean complete() {
            return failure == null;
        }
    }

    private final Producer<String, byte[]> producer;

    public AwaitedProducer(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    /**
     * An idempotent producer with {@code acks=all} whose every record is answered within
     * {@code maxBlock + deliveryTimeout}.
     */
    public static AwaitedProducer create(String bootstrapServers, String clientId, Duration maxBlock,
            Duration deliveryTimeout) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, clientId,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) maxBlock.toMillis(),
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(deliveryTimeout.toMillis() - 2, 30_000),
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) deliveryTimeout.toMillis(),
                ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return new AwaitedProducer(new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer()));
    }

    /** The producer itself, for its metrics. */
    public Producer<String, byte[]> producer() {
        return producer;
    }

    /** Sends the records in order and waits for Kafka's answer to each one sent. */
    public Outcome publish(List<ProducerRecord<String, byte[]>> records) throws InterruptedException {
        boolean[] taken = new boolean[records.size()];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch answered = new CountDownLatch(records.size());
        for (int i = 0; i < records.size(); i++) {
            if (failure.get() != null) { // e.g. no metadata within max.block.ms: Kafka is away, keep the rest
                for (int rest = i; rest < records.size(); rest++) {
                    answered.countDown();
                }
                break;
            }
            int index = i;
            try {
                producer.send(records.get(i), (metadata, error) -> {
                    if (error == null) {
                        taken[index] = true;
                    } else {
                        failure.compareAndSet(null, error);
                    }
                    answered.countDown();
                });
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                for (int rest = i; rest < records.size(); rest++) {
                    answered.countDown();
                }
                break;
            }
        }
        answered.await(); // bounded by the producer's max.block.ms and delivery.timeout.ms
        return new Outcome(taken, failure.get()); // taken[] written before each count down, read after the await
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
