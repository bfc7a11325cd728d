package dev.handover.customer.model;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One line of the audit log (collection {@code audit_log}): who changed what about a customer, from what,
 * to what, and why. Written through the customer's outbox, so no change is left without its line.
 *
 * @param action stop_changed, assigned, unassigned, message_sent, profile_updated, agent_name_updated or
 *        agent_status_changed (an agent's line: no page, no customer)
 * @param actorType agent, customer or system
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AuditEntry(
        String id,
        String companyId,
        String pageId,
        String customerId,
        String action,
        String actorType,
        String actorId,
        String actorName,
        String actorEmail,
        Map<String, Object> before,
        Map<String, Object> after,
        String reason,
        Instant at) {
}
