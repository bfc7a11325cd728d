package dev.handover.gateway.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.scheduler.Scheduled;

/**
 * Closes idle sessions whose token has expired (expiry holds even for an agent who never writes) and releases
 * the companies nobody here follows any more and the budgets of agents who went quiet.
 */
@ApplicationScoped
public class SessionSweeper {

    private final CompanyChannels channels;
    private final AgentBudgets budgets;

    public SessionSweeper(CompanyChannels channels, AgentBudgets budgets) {
        this.channels = channels;
        this.budgets = budgets;
    }

    @Scheduled(every = "{gateway.expiry-sweep-interval}")
    void sweep() {
        Instant now = Instant.now();
        for (AgentSession session : channels.sessions()) {
            if (session.expired(now)) {
                session.expire();
            }
        }
        channels.releaseIdle();
        budgets.forgetIdle();
    }
}
