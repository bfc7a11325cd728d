package dev.handover.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The full customer object of the spec's customer table, as it stood right after a change. Gateways send
 * it to agents as it is, adding only what depends on the recipient ({@code is_assigned_to_me}). The assignment
 * and stop times are always present, {@code null} when unset, as the spec lists them (clients test for them).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerSnapshot(
        String customerId,
        String customerName,
        String firstName,
        String lastName,
        String pageId,
        String pageName,
        String companyId,
        long messageCount,
        String lastMessage,
        Instant lastSeen,
        Instant firstSeen,
        boolean stop,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant stoppedAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) String agentName,
        @JsonInclude(JsonInclude.Include.ALWAYS) String agentId,
        @JsonInclude(JsonInclude.Include.ALWAYS) String agentEmail,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant assignedAt,
        Instant createdAt,
        Instant updatedAt) {
}
