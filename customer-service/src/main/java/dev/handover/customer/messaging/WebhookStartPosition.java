package dev.handover.customer.messaging;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Records where the outbound-webhook consumer group starts. The group starts at the newest broadcast (a new group
 * owes nothing of the past), but that start lived only in the consumer until its first periodic commit: a
 * customer-service killed before then came back at the newest broadcast again, and every broadcast of the
 * gap (the ones it published itself after the restart, before its consumer was assigned) was never delivered.
 * Committing the position of every partition that has none, as it is assigned, makes the start durable.
 */
@ApplicationScoped
@Identifier(WebhookStartPosition.NAME)
public class WebhookStartPosition implements KafkaConsumerRebalanceListener {

    static final String NAME = "webhook-start-position";

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(new HashSet<>(partitions));
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        for (TopicPartition partition : partitions) {
            if (committed.get(partition) == null) {
                start.put(partition, new OffsetAndMetadata(consumer.position(partition)));
            }
        }
        if (!start.isEmpty()) {
            consumer.commitSync(start);
        }
    }
}
