package dev.handover.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A change of customer state, published by customer-service for every gateway
 * (topic {@link Topics#CUSTOMER_EVENTS}, keyed by {@code company_id} so one company's events stay in order).
 *
 * @param eventId unique per change, for idempotent consumers
 * @param stop for {@code customer_stop_status_changed}: the new stop status
 * @param agent for {@code agent_assignment_changed}: the agent assigned or released
 * @param action for {@code agent_assignment_changed}: {@code assigned} or {@code unassigned}
 * @param message for {@code new_message} and {@code agent_requested}: the message
 * @param delivery for {@code message_status_changed}: which message, and where it stands
 * @param reason for {@code agent_assignment_changed} and {@code customer_stop_status_changed}: why, as a code
 *        ({@code taken}, {@code auto_assigned}, {@code released}, {@code transferred}, {@code released_by_admin},
 *        {@code back_to_bot}, {@code customer_asked}, {@code set_by_agent}, ...); README lists them
 * @param previousAgent for a transfer: the agent the customer was taken from
 * @param queuePosition for {@code agent_requested}, and an {@code agent_assignment_changed} that puts the customer
 *        back in the queue: their place in the company's queue (1 = next)
 * @param estimatedWaitSeconds for {@code agent_requested}: how long they may wait ({@code null} when unknown)
 * @param presence for {@code agent_status_changed} (no customer): the agent's new and previous status
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CustomerEvent(
        String eventId,
        CustomerEventType type,
        String companyId,
        Instant occurredAt,
        CustomerSnapshot customer,
        Boolean stop,
        AgentRef agent,
        String action,
        ChatMessage message,
        MessageDelivery delivery,
        String reason,
        AgentRef previousAgent,
        Integer queuePosition,
        Long estimatedWaitSeconds,
        AgentPresence presence) {

    /** A customer's event with their place in the queue. */
    public CustomerEvent(String eventId, CustomerEventType type, String companyId, Instant occurredAt,
            CustomerSnapshot customer, Boolean stop, AgentRef agent, String action, ChatMessage message,
            MessageDelivery delivery, String reason, AgentRef previousAgent, Integer queuePosition,
            Long estimatedWaitSeconds) {
        this(eventId, type, companyId, occurredAt, customer, stop, agent, action, message, delivery, reason, previousAgent,
                queuePosition, estimatedWaitSeconds, null);
    }

    /** A customer's event without a place in the queue. */
    public CustomerEvent(String eventId, CustomerEventType type, String companyId, Instant occurredAt,
            CustomerSnapshot customer, Boolean stop, AgentRef agent, String action, ChatMessage message,
            MessageDelivery delivery, String reason, AgentRef previousAgent) {
        this(eventId, type, companyId, occurredAt, customer, stop, agent, action, message, delivery, reason, previousAgent,
                null, null, null);
    }

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<CustomerEvent> {
        public Deserializer() {
            super(CustomerEvent.class);
        }
    }
}
