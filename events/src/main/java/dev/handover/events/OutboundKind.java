package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What an {@link OutboundMessage} asks messenger-bridge to send or do. */
public enum OutboundKind {
    @JsonProperty("text") TEXT,
    @JsonProperty("sender_action") SENDER_ACTION,
    /** Make Handover the conversation's owner (handover protocol), taking it from the bot. */
    @JsonProperty("take_thread_control") TAKE_THREAD_CONTROL,
    /** Give the conversation to {@code target_app_id} (the page's bot), with a {@code metadata} note. */
    @JsonProperty("pass_thread_control") PASS_THREAD_CONTROL
}
