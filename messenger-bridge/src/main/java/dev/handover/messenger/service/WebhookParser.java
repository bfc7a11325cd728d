package dev.handover.messenger.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.events.Attachment;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;

/**
 * Turns a Messenger webhook body into {@link InboundEvent}s: every item of {@code entry[].messaging[]} and
 * {@code entry[].standby[]} (marked {@code standby}: another app owns the conversation), thread-control changes
 * ({@code messaging_handovers}) included. An item of a kind we do not handle, or a malformed one, is reported and
 * skipped; it never takes its siblings with it. App role changes concern the page, not a conversation: reported as
 * {@code app_roles}.
 */
public final class WebhookParser {

    /** Facebook acted against the page (blocked, unblocked, a warning): for operators, not an invalid item. */
    static final String POLICY_ENFORCEMENT = "policy_enforcement";
    /** The page's apps changed roles (primary or secondary receiver). */
    static final String APP_ROLES = "app_roles";
    private static final List<String> THREAD_CONTROL = List.of("pass_thread_control", "take_thread_control",
            "request_thread_control");

    /**
     * What a body held: the events, what was skipped by kind ({@code unknown}, {@code invalid},
     * {@code policy_enforcement}), and the policy actions to alert on.
     */
    public record Parsed(List<InboundEvent> events, List<String> skipped, List<String> alerts) {
    }

    private static final class PolicyEnforcement extends RuntimeException {
        PolicyEnforcement(JsonNode details) {
            super("action=" + text(details.path("action")) + " reason=" + text(details.path("reason")), null, false, false);
        }
    }

    public Parsed parse(JsonNode root) {
        List<InboundEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<String> alerts = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            String pageId = text(entry.path("id"));
            for (String list : List.of("messaging", "standby")) {
                for (JsonNode item : entry.path(list)) {
                    if (item.path("app_roles").isObject()) {
                        skipped.add(APP_ROLES);
                        continue;
                    }
                    try {
                        InboundEvent event = item(pageId, item);
                        if (event == null) {
                            skipped.add("unknown");
                        } else {
                            events.add(list.equals("standby") ? event.asStandby() : event);
                        }
                    } catch (PolicyEnforcement e) {
                        skipped.add(POLICY_ENFORCEMENT);
                        alerts.add(e.getMessage());
                    } catch (RuntimeException e) {
                        skipped.add("invalid");
                    }
                }
            }
        }
        return new Parsed(events, skipped, alerts);
    }

    private static InboundEvent item(String entryPageId, JsonNode item) {
        String sender = require(text(item.path("sender").path("id")), "sender.id");
        String recipient = require(text(item.path("recipient").path("id")), "recipient.id");
        Instant timestamp = item.hasNonNull("timestamp") ? Instant.ofEpochMilli(item.get("timestamp").asLong()) : null;
        JsonNode message = item.path("message");
        if (message.isObject()) {
            boolean echo = message.path("is_echo").asBoolean(false);
            String pageId = echo ? sender : recipient;
            String customerId = echo ? recipient : sender;
            String mid = require(text(message.path("mid")), "message.mid");
            List<Attachment> attachments = new ArrayList<>();
            for (JsonNode attachment : message.path("attachments")) {
                attachments.add(attachment(attachment));
            }
            JsonNode referral = message.path("referral");
            return new InboundEvent(mid, echo ? InboundKind.ECHO : InboundKind.MESSAGE, page(entryPageId, pageId),
                    customerId, timestamp, mid, text(message.path("text")), attachments.isEmpty() ? null : attachments,
                    text(message.path("quick_reply").path("payload")), null, null,
                    message.hasNonNull("app_id") ? message.get("app_id").asLong() : null, text(message.path("metadata")),
                    null, null, null, null, text(message.path("reply_to").path("mid")), null, text(referral.path("ref")),
                    text(referral.path("source")));
        }
        JsonNode postback = item.path("postback");
        if (postback.isObject()) {
            String mid = text(postback.path("mid"));
            String id = mid != null ? mid : "postback:" + recipient + ":" + sender + ":" + millis(timestamp);
            JsonNode referral = postback.path("referral");
            return new InboundEvent(id, InboundKind.POSTBACK, page(entryPageId, recipient), sender, timestamp, mid,
                    null, null, null, text(postback.path("title")), text(postback.path("payload")), null, null, null,
                    null, null, null, null, null, text(referral.path("ref")), text(referral.path("source")));
        }
        JsonNode edit = item.path("message_edit");
        if (edit.isObject()) {
            String mid = require(text(edit.path("mid")), "message_edit.mid");
            return new InboundEvent("edit:" + mid + ":" + edit.path("num_edit").asInt(), InboundKind.EDIT,
                    page(entryPageId, recipient), sender, timestamp, mid, text(edit.path("text")), null, null, null,
                    null, null, null, null, null, null, null);
        }
        JsonNode reaction = item.path("reaction");
        if (reaction.isObject()) {
            String mid = require(text(reaction.path("mid")), "reaction.mid");
            boolean removed = "unreact".equals(text(reaction.path("action")));
            String what = text(reaction.path("emoji")) != null ? text(reaction.path("emoji")) : text(reaction.path("reaction"));
            return new InboundEvent("reaction:" + mid + ":" + sender + ":" + millis(timestamp), InboundKind.REACTION,
                    page(entryPageId, recipient), sender, timestamp, mid, null, null, null, null, null, null, null, null,
                    null, null, null, null, removed ? null : what, null, null);
        }
        for (String handover : THREAD_CONTROL) {
            JsonNode control = item.path(handover);
            if (control.isObject()) {
                String newOwner = text(control.path(handover.equals("request_thread_control") ? "requested_owner_app_id"
                        : "new_owner_app_id"));
                return new InboundEvent("handover:" + handover + ":" + recipient + ":" + sender + ":" + millis(timestamp),
                        InboundKind.HANDOVER, page(entryPageId, recipient), sender, timestamp, null, null, null, null, null,
                        null, null, text(control.path("metadata")), null, null, null, null, null, null, null, null, null,
                        handover, newOwner, text(control.path("previous_owner_app_id")));
            }
        }
        JsonNode referral = item.path("referral");
        if (referral.isObject()) {
            return new InboundEvent("referral:" + recipient + ":" + sender + ":" + millis(timestamp), InboundKind.REFERRAL,
                    page(entryPageId, recipient), sender, timestamp, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, text(referral.path("ref")), text(referral.path("source")));
        }
        if (item.path("policy-enforcement").isObject() || item.path("policy_enforcement").isObject()) {
            throw new PolicyEnforcement(item.path("policy-enforcement").isObject() ? item.path("policy-enforcement")
                    : item.path("policy_enforcement"));
        }
        JsonNode delivery = item.path("delivery");
        if (delivery.isObject()) {
            long watermark = require(delivery.path("watermark"), "delivery.watermark");
            List<String> mids = new ArrayList<>();
            delivery.path("mids").forEach(m -> mids.add(m.asText()));
            return new InboundEvent("delivery:" + recipient + ":" + sender + ":" + watermark, InboundKind.DELIVERY,
                    page(entryPageId, recipient), sender, timestamp, null, null, null, null, null, null, null, null,
                    mids.isEmpty() ? null : mids, Instant.ofEpochMilli(watermark), null, null);
        }
        JsonNode read = item.path("read");
        if (read.isObject()) {
            long watermark = require(read.path("watermark"), "read.watermark");
            return new InboundEvent("read:" + recipient + ":" + sender + ":" + watermark, InboundKind.READ,
                    page(entryPageId, recipient), sender, timestamp, null, null, null, null, null, null, null, null,
                    null, Instant.ofEpochMilli(watermark), null, null);
        }
        return null;
    }

    /** Any attachment kind: its URL where Facebook gives one, a title, a location's coordinates, a sticker's id. */
    private static Attachment attachment(JsonNode attachment) {
        JsonNode payload = attachment.path("payload");
        String type = text(attachment.path("type"));
        if (payload.hasNonNull("sticker_id")) {
            type = "sticker";
        }
        String url = text(payload.path("url")) != null ? text(payload.path("url")) : text(attachment.path("url"));
        String title = text(attachment.path("title")) != null ? text(attachment.path("title"))
                : text(payload.path("title")) != null ? text(payload.path("title")) : text(payload.path("template_type"));
        JsonNode coordinates = payload.path("coordinates");
        return new Attachment(type, url, title, coordinates.hasNonNull("lat") ? coordinates.get("lat").asDouble() : null,
                coordinates.hasNonNull("long") ? coordinates.get("long").asDouble() : null);
    }

    private static String page(String entryPageId, String fromItem) {
        return fromItem != null ? fromItem : entryPageId;
    }

    private static String millis(Instant timestamp) {
        return timestamp == null ? "0" : Long.toString(timestamp.toEpochMilli());
    }

    private static String text(JsonNode node) {
        return node == null || node.isMissingNode() || node.isNull() ? null : node.asText();
    }

    private static String require(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        return value;
    }

    private static long require(JsonNode node, String what) {
        if (!node.canConvertToLong()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        return node.asLong();
    }
}
