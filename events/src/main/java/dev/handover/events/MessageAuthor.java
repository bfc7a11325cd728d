package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Who wrote a message in a conversation. */
public enum MessageAuthor {
    @JsonProperty("customer") CUSTOMER,
    @JsonProperty("bot") BOT,
    @JsonProperty("agent") AGENT,
    /** A person answering for the page outside Handover (Meta's Page Inbox). */
    @JsonProperty("human") HUMAN,
    /** Handover itself: a company's automatic notices to the customer (its maximum wait, for one). */
    @JsonProperty("system") SYSTEM
}
