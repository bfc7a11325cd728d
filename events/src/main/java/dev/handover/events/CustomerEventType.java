package dev.handover.events;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The spec's broadcast event types. */
public enum CustomerEventType {
    CUSTOMER_STOP_STATUS_CHANGED,
    AGENT_ASSIGNMENT_CHANGED,
    AGENT_REQUESTED,
    NEW_MESSAGE;

    /** The type as the spec spells it, on Kafka and on the agents' sockets. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
