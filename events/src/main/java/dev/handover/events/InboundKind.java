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
    @JsonProperty("read") READ,
    /** The customer changed the text of a message ({@code mid}) to {@code text}. */
    @JsonProperty("edit") EDIT,
    /** The customer reacted to a message ({@code mid}) with {@code reaction}, or took it back ({@code null}). */
    @JsonProperty("reaction") REACTION,
    /** The customer came through a link, ad or code ({@code referral_ref}, {@code referral_source}). */
    @JsonProperty("referral") REFERRAL,
    /** Thread control moved between the page's apps (Messenger's handover protocol): see {@code handover}. */
    @JsonProperty("handover") HANDOVER
}
