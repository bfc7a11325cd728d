package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The spec's broadcast event types, spelled as the spec spells them. */
public enum CustomerEventType {
    @JsonProperty("customer_stop_status_changed") CUSTOMER_STOP_STATUS_CHANGED,
    @JsonProperty("agent_assignment_changed") AGENT_ASSIGNMENT_CHANGED,
    @JsonProperty("agent_requested") AGENT_REQUESTED,
    @JsonProperty("new_message") NEW_MESSAGE
}
