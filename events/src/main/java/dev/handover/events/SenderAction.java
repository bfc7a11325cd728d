package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The Send API's {@code sender_action} values, spelled as Facebook spells them. */
public enum SenderAction {
    @JsonProperty("typing_on") TYPING_ON,
    @JsonProperty("typing_off") TYPING_OFF,
    @JsonProperty("mark_seen") MARK_SEEN
}
