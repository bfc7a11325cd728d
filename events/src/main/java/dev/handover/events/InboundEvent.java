package dev.handover.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One item of a Messenger webhook, normalised by messenger-bridge for customer-service
 * (topic {@link Topics#MESSENGER_INBOUND}, key {@link Topics#conversationKey}).
 *
 * @param eventId unique per item: Facebook's {@code mid} where it has one, else derived from the item
 * @param customerId the page-scoped id (PSID) of the customer, also for echoes
 * @param metadata for echoes, what we passed to the Send API (our {@code message_id}), to recognise our own sends
 * @param deliveredMids for deliveries, the {@code mids} Facebook listed (may be empty)
 * @param watermark for deliveries and reads: everything sent before it was delivered or read
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InboundEvent(
        String eventId,
        InboundKind kind,
        String pageId,
        String customerId,
        Instant timestamp,
        String mid,
        String text,
        List<Attachment> attachments,
        String quickReplyPayload,
        String postbackTitle,
        String postbackPayload,
        Long appId,
        String metadata,
        List<String> deliveredMids,
        Instant watermark,
        String firstName,
        String lastName) {

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<InboundEvent> {
        public Deserializer() {
            super(InboundEvent.class);
        }
    }
}
