package dev.handover.customer.service;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.handover.customer.model.Agent;
import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.model.PendingRecord;
import dev.handover.events.AgentPresence;
import dev.handover.events.AgentRef;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.MessageDelivery;
import dev.handover.events.EventJson;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;

/**
 * Adds what a change owes (broadcast events, messages to send or to keep, audit lines) to the customer's (or the agent's)
 * outbox, so that they are stored by the very write that stores the change. Events carry the customer as it is at
 * that point of the decision.
 */
public final class Outbox {

    private Outbox() {
    }

    /** Handover itself, acting on a company's rules (in audit lines: actor type {@code system}). */
    public static final AgentRef SYSTEM = new AgentRef("handover", "Handover", null);
    /** The page's bot, acting through Messenger's handover protocol (in audit lines: actor type {@code bot}). */
    public static final AgentRef BOT = new AgentRef("bot", "Bot", null);

    public static void event(Customer customer, CustomerEventType type, Instant at, Boolean stop, AgentRef agent,
            String action, ChatMessage message) {
        String eventId = UUID.randomUUID().toString();
        add(customer, new CustomerEvent(eventId, type, customer.companyId, at, customer.snapshot(), stop, agent, action,
                message, null, null, null));
    }

    /** An {@code agent_assignment_changed} broadcast, with why, and from whom in a transfer. */
    public static void assignmentChanged(Customer customer, Instant at, AgentRef agent, String action, Reason reason,
            AgentRef previous) {
        assignmentChanged(customer, at, agent, action, reason, previous, QueueService.Place.NONE);
    }

    /** As above, for a customer who goes back to the queue: with the place they get there. */
    public static void assignmentChanged(Customer customer, Instant at, AgentRef agent, String action, Reason reason,
            AgentRef previous, QueueService.Place place) {
        add(customer, new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_ASSIGNMENT_CHANGED,
                customer.companyId, at, customer.snapshot(), null, agent, action, null, null, reason.code, previous,
                place.position(), place.estimatedWaitSeconds()));
    }

    /**
     * An {@code agent_status_changed} broadcast and its audit line, in the agent's own outbox (stored by the
     * write that changes the status). {@code actor} {@link #SYSTEM} when presence decided it.
     */
    public static void statusChanged(Agent agent, String previous, long activeChats, AgentRef actor, Reason reason,
            Instant at) {
        AgentRef who = new AgentRef(agent.agentId, agent.agentName, agent.agentEmail);
        var event = new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_STATUS_CHANGED, agent.companyId,
                at, null, null, who, null, null, null, reason.code, null, null, null,
                new AgentPresence(agent.status, previous, activeChats));
        agent.pending.add(new PendingRecord(event.eventId(), Topics.CUSTOMER_EVENTS, agent.companyId, json(event)));
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("status", previous);
        String id = UUID.randomUUID().toString();
        var entry = new AuditEntry(id, agent.companyId, null, null, "agent_status_changed",
                actor == SYSTEM ? "system" : "agent", actor.id(), actor.name(), actor.email(), before,
                Map.of("status", agent.status), reason.text, at);
        agent.pending.add(new PendingRecord(id, PendingRecord.AUDIT_LOG, agent.id, json(entry)));
    }

    /** A {@code customer_stop_status_changed} broadcast, with why. */
    public static void stopChanged(Customer customer, Instant at, boolean stop, Reason reason) {
        add(customer, new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED,
                customer.companyId, at, customer.snapshot(), stop, null, null, null, null, reason.code, null));
    }

    /**
     * An {@code agent_requested} broadcast with the customer's place in the queue, published before the records
     * from {@code position} on (the spec's order puts it before the stop change it goes with).
     */
    public static void agentRequested(int position, Customer customer, Instant at, ChatMessage message,
            QueueService.Place place) {
        var event = new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_REQUESTED, customer.companyId,
                at, customer.snapshot(), true, null, null, message, null, null, null, place.position(),
                place.estimatedWaitSeconds());
        customer.pending.add(position, new PendingRecord(event.eventId(), Topics.CUSTOMER_EVENTS, customer.companyId,
                json(event)));
    }

    /** A {@code message_status_changed} broadcast: one of our messages moved on. */
    public static void status(Customer customer, MessageDelivery delivery, Instant at) {
        add(customer, new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.MESSAGE_STATUS_CHANGED,
                customer.companyId, at, customer.snapshot(), null, null, null, null, delivery, null, null));
    }

    private static void add(Customer customer, CustomerEvent event) {
        customer.pending.add(new PendingRecord(event.eventId(), Topics.CUSTOMER_EVENTS, customer.companyId, json(event)));
    }

    public static void send(Customer customer, OutboundMessage message) {
        customer.pending.add(new PendingRecord(message.messageId(), Topics.MESSENGER_OUTBOUND,
                Topics.conversationKey(message.pageId(), message.customerId()), json(message)));
    }

    /**
     * A message for the conversation's history, stored by the outbox's delivery before the records that announce it
     * (or send it) are published, so that whoever learns of it can read it.
     */
    public static void message(Customer customer, Message message) {
        customer.pending.add(new PendingRecord(message.id, PendingRecord.MESSAGES, customer.id, json(message)));
    }

    /** An audit line; {@code actor} {@code null} means the customer did it. */
    public static void audit(Customer customer, String action, AgentRef actor, Map<String, Object> before,
            Map<String, Object> after, String reason, Instant at) {
        String id = UUID.randomUUID().toString();
        var entry = new AuditEntry(id, customer.companyId, customer.pageId, customer.customerId, action,
                actor == null ? "customer" : actor == SYSTEM ? "system" : actor == BOT ? "bot" : "agent",
                actor == null ? customer.customerId : actor.id(),
                actor == null ? customer.customerName : actor.name(), actor == null ? null : actor.email(),
                before, after, reason, at);
        customer.pending.add(new PendingRecord(id, PendingRecord.AUDIT_LOG, customer.id, json(entry)));
    }

    /** The assignment fields of a customer, for audit lines. */
    public static Map<String, Object> assignment(Customer customer) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("stop", customer.stop);
        fields.put("agent_id", customer.agentId);
        fields.put("agent_email", customer.agentEmail);
        fields.put("agent_name", customer.agentName);
        return fields;
    }

    private static String json(Object payload) {
        return new String(EventJson.write(payload), StandardCharsets.UTF_8);
    }
}
