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
 * @param replyToMid for messages, the message the customer answered to
 * @param reaction for reactions, the reaction ({@code null}: taken back)
 * @param referralRef for referrals and postbacks, the {@code ref} of the link, ad or code that brought the customer
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
        String lastName,
        String replyToMid,
        String reaction,
        String referralRef,
        String referralSource) {

    /** An event without a reply, reaction or referral. */
    public InboundEvent(String eventId, InboundKind kind, String pageId, String customerId, Instant timestamp, String mid,
            String text, List<Attachment> attachments, String quickReplyPayload, String postbackTitle,
            String postbackPayload, Long appId, String metadata, List<String> deliveredMids, Instant watermark,
            String firstName, String lastName) {
        this(eventId, kind, pageId, customerId, timestamp, mid, text, attachments, quickReplyPayload, postbackTitle,
                postbackPayload, appId, metadata, deliveredMids, watermark, firstName, lastName, null, null, null, null);
    }

    /** The same event with the customer's names. */
    public InboundEvent withNames(String first, String last) {
        return new InboundEvent(eventId, kind, pageId, customerId, timestamp, mid, text, attachments, quickReplyPayload,
                postbackTitle, postbackPayload, appId, metadata, deliveredMids, watermark, first, last, replyToMid,
                reaction, referralRef, referralSource);
    }

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<InboundEvent> {
        public Deserializer() {
            super(InboundEvent.class);
        }
    }
}
