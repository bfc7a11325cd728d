package dev.handover.messenger.messaging;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import dev.handover.events.InboundEvent;
import dev.handover.events.Topics;
import dev.handover.messenger.config.BridgeConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/** The Kafka edge out of the webhook: publishes to {@code messenger.inbound} and waits until Kafka has it all. */
@ApplicationScoped
public class InboundPublisher {

    private final MutinyEmitter<InboundEvent> emitter;
    private final BridgeConfig config;

    public InboundPublisher(@Channel("messenger-inbound") MutinyEmitter<InboundEvent> emitter, BridgeConfig config) {
        this.emitter = emitter;
        this.config = config;
    }

    /** Returns once every event is acknowledged by Kafka; throws if that does not happen in time. */
    public void publish(List<InboundEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        List<Uni<Void>> acks = events.stream().map(e -> emitter.sendMessage(Message.of(e).addMetadata(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(Topics.conversationKey(e.pageId(), e.customerId()))
                        .build()))).toList();
        Uni.join().all(acks).andFailFast().await().atMost(config.publishTimeout());
    }
}
