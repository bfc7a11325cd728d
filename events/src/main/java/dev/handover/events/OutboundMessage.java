package dev.handover.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Something to send to a customer through the Send API (topic {@link Topics#MESSENGER_OUTBOUND}).
 *
 * @param messageId our id for the message; messenger-bridge reports its outcome under it and passes it to
 *        Facebook as {@code metadata}, so the echo can be recognised
 * @param companyId the company that owns the page; messenger-bridge refuses to send as a page of another company
 * @param customerLastMessageAt when the customer last wrote, which decides the messaging window
 *        (RESPONSE within 24 h, HUMAN_AGENT tag up to 7 days)
 * @param targetAppId for {@code pass_thread_control}: the app to pass the conversation to
 * @param metadata for thread control: the note the other app receives
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OutboundMessage(
        String messageId,
        OutboundKind kind,
        String companyId,
        String pageId,
        String customerId,
        String text,
        SenderAction senderAction,
        Instant customerLastMessageAt,
        Instant requestedAt,
        String targetAppId,
        String metadata) {

    /** A text or a sender action. */
    public OutboundMessage(String messageId, OutboundKind kind, String companyId, String pageId, String customerId,
            String text, SenderAction senderAction, Instant customerLastMessageAt, Instant requestedAt) {
        this(messageId, kind, companyId, pageId, customerId, text, senderAction, customerLastMessageAt, requestedAt, null,
                null);
    }

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<OutboundMessage> {
        public Deserializer() {
            super(OutboundMessage.class);
        }
    }
}
