package dev.handover.messenger.graph;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the Graph API answered: HTTP status and, on success, the body; on failure Facebook's
 * {@code error.code}, {@code error_subcode}, {@code message} and {@code fbtrace_id}.
 */
public record GraphResult(int httpStatus, JsonNode body, Integer errorCode, Integer errorSubcode, String error,
        String fbtraceId) {

    public boolean ok() {
        return errorCode == null;
    }

    /** Facebook's id of a sent message. */
    public String messageId() {
        return body == null ? null : body.path("message_id").asText(null);
    }
}
