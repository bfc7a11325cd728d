package dev.handover.customer.service;

/** Fired after an agent's change is stored with records in its outbox, so that they are delivered at once. */
public record AgentChanged(String agentKey) {
}
