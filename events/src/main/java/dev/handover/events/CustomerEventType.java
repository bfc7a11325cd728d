package dev.handover.events;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/** The spec's broadcast event types. */
public enum CustomerEventType {
    CUSTOMER_STOP_STATUS_CHANGED,
    AGENT_ASSIGNMENT_CHANGED,
    AGENT_REQUESTED,
    NEW_MESSAGE,
    /** Not in the spec: one of our messages was sent, delivered, read, or failed. */
    MESSAGE_STATUS_CHANGED,
    /** Not in the spec: an agent became {@code online}, {@code away} or {@code offline} (no customer). */
    AGENT_STATUS_CHANGED;

    /** The type as the spec spells it, on Kafka and on the agents' sockets. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
