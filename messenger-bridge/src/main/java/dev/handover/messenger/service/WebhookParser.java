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
 * {@code entry[].standby[]}. An item of a kind we do not handle, or a malformed one, is reported and skipped;
 * it never takes its siblings with it.
 */
public final class WebhookParser {

    /** What a body held: the events, and what was skipped by kind ({@code unknown}, {@code invalid}). */
    public record Parsed(List<InboundEvent> events, List<String> skipped) {
    }

    public Parsed parse(JsonNode root) {
        List<InboundEvent> events = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JsonNode entry : root.path("entry")) {
            String pageId = text(entry.path("id"));
            for (String list : List.of("messaging", "standby")) {
                for (JsonNode item : entry.path(list)) {
                    try {
                        InboundEvent event = item(pageId, item);
                        if (event == null) {
                            skipped.add("unknown");
                        } else {
                            events.add(event);
                        }
                    } catch (RuntimeException e) {
                        skipped.add("invalid");
                    }
                }
            }
        }
        return new Parsed(events, skipped);
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
                attachments.add(new Attachment(text(attachment.path("type")), text(attachment.path("payload").path("url"))));
            }
            return new InboundEvent(mid, echo ? InboundKind.ECHO : InboundKind.MESSAGE, page(entryPageId, pageId),
                    customerId, timestamp, mid, text(message.path("text")), attachments.isEmpty() ? null : attachments,
                    text(message.path("quick_reply").path("payload")), null, null,
                    message.hasNonNull("app_id") ? message.get("app_id").asLong() : null, text(message.path("metadata")),
                    null, null, null, null);
        }
        JsonNode postback = item.path("postback");
        if (postback.isObject()) {
            String mid = text(postback.path("mid"));
            String id = mid != null ? mid : "postback:" + recipient + ":" + sender + ":" + millis(timestamp);
            return new InboundEvent(id, InboundKind.POSTBACK, page(entryPageId, recipient), sender, timestamp, mid,
                    null, null, null, text(postback.path("title")), text(postback.path("payload")), null, null, null,
                    null, null, null);
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
