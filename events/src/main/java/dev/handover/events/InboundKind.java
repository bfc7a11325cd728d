package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a {@link InboundEvent} reports. */
public enum InboundKind {
    /** The customer wrote text, sent attachments or tapped a quick reply. */
    @JsonProperty("message") MESSAGE,
    /** The customer pressed a button. */
    @JsonProperty("postback") POSTBACK,
    /** The page sent a message: ours, or one written in Meta's inbox or another app. */
    @JsonProperty("echo") ECHO,
    /** Messages up to the watermark reached the customer. */
    @JsonProperty("delivery") DELIVERY,
    /** The customer read messages up to the watermark. */
    @JsonProperty("read") READ
}
