package dev.handover.testing;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.Topics;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** A customer's message as messenger-bridge puts it on {@code messenger.inbound}, for tests without a bridge. */
public final class TestInbound {

    private TestInbound() {
    }

    public static void customerWrites(KafkaCompanion kafka, String pageId, String customerId, String text) {
        String mid = "m-" + UUID.randomUUID();
        var event = new InboundEvent(mid, InboundKind.MESSAGE, pageId, customerId, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                mid, text, null, null, null, null, null, null, null, null, "Lia", "Ford");
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                Topics.conversationKey(pageId, customerId), new JsonSerializer().serialize("t", event)))
                .awaitCompletion(Duration.ofSeconds(10));
    }
}
