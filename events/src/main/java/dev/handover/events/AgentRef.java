package dev.handover.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** An agent as the JWT names them: {@code sub}, {@code name}, {@code email}. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AgentRef(String id, String name, String email) {
}
