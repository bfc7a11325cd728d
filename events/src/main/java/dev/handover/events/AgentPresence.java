package dev.handover.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where an agent stands, as an {@code agent_status_changed} broadcast carries it.
 *
 * @param status {@code online}, {@code away} or {@code offline}
 * @param previousStatus what it was ({@code null} for an agent seen for the first time)
 * @param activeChats how many customers the agent holds
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AgentPresence(String status, String previousStatus, long activeChats) {
}
