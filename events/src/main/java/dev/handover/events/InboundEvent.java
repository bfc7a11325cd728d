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
 * @param standby the item came in the page's {@code standby} channel: another app (the bot) owns the conversation
 * @param handover for {@code handover} events (Messenger's {@code messaging_handovers}): {@code pass_thread_control},
 *        {@code take_thread_control}, {@code request_thread_control} or {@code app_roles}; {@code metadata} carries
 *        the note the other app sent
 * @param newOwnerAppId for a pass or take, the app that owns the conversation now (for a request, the app asking)
 * @param previousOwnerAppId for a pass or take, the app that owned it
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
        String referralSource,
        Boolean standby,
        String handover,
        String newOwnerAppId,
        String previousOwnerAppId) {

    /** An event that is no thread-control change, from the page's main channel. */
    public InboundEvent(String eventId, InboundKind kind, String pageId, String customerId, Instant timestamp, String mid,
            String text, List<Attachment> attachments, String quickReplyPayload, String postbackTitle,
            String postbackPayload, Long appId, String metadata, List<String> deliveredMids, Instant watermark,
            String firstName, String lastName, String replyToMid, String reaction, String referralRef,
            String referralSource) {
        this(eventId, kind, pageId, customerId, timestamp, mid, text, attachments, quickReplyPayload, postbackTitle,
                postbackPayload, appId, metadata, deliveredMids, watermark, firstName, lastName, replyToMid, reaction,
                referralRef, referralSource, null, null, null, null);
    }

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
                reaction, referralRef, referralSource, standby, handover, newOwnerAppId, previousOwnerAppId);
    }

    /** The same event, as it came in the page's {@code standby} channel. */
    public InboundEvent asStandby() {
        return new InboundEvent(eventId, kind, pageId, customerId, timestamp, mid, text, attachments, quickReplyPayload,
                postbackTitle, postbackPayload, appId, metadata, deliveredMids, watermark, firstName, lastName, replyToMid,
                reaction, referralRef, referralSource, true, handover, newOwnerAppId, previousOwnerAppId);
    }

    /** Whether the item came while another app owned the conversation. */
    public boolean inStandby() {
        return Boolean.TRUE.equals(standby);
    }

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<InboundEvent> {
        public Deserializer() {
            super(InboundEvent.class);
        }
    }
}
