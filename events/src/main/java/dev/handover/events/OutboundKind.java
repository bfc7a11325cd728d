package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an {@link OutboundMessage} asks messenger-bridge to send. */
public enum OutboundKind {
    @JsonProperty("text") TEXT,
    @JsonProperty("sender_action") SENDER_ACTION
}
