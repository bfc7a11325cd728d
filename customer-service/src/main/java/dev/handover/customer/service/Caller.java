package dev.handover.customer.service;

import dev.handover.events.AgentRef;

/** Who is asking, from the verified JWT: the agent and the one company whose data they may touch. */
public record Caller(String agentId, String name, String email, String companyId, boolean admin) {

    public AgentRef agent() {
        return new AgentRef(agentId, name, email);
    }
}
