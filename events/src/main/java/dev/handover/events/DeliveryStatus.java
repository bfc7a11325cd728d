package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Outcome of one send. */
public enum DeliveryStatus {
    @JsonProperty("sent") SENT,
    @JsonProperty("failed") FAILED
}
