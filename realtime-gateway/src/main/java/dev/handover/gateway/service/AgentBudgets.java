package dev.handover.gateway.service;

import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;

import dev.handover.gateway.config.GatewayConfig;
import io.smallrye.faulttolerance.api.RateLimitType;
import io.smallrye.faulttolerance.api.TypedGuard;

/**
 * One agent's share of the work behind this gateway instance, across all their connections on both protocols: an
 * agent who opens ten sockets gets one agent's rate and one agent's commands in flight, not ten. Each connection's
 * {@link CommandBudget} passes its commands through the share of the agent signed in on it; a share nobody used
 * for a few windows is forgotten by {@link SessionSweeper}.
 */
@ApplicationScoped
public class AgentBudgets {

    private static final TypeLiteral<CompletionStage<Void>> TYPE = new TypeLiteral<>() {
    };

    private final GatewayConfig.Limits limits;
    private final Map<String, Share> shares = new ConcurrentHashMap<>();

    public AgentBudgets(GatewayConfig config) {
        this.limits = config.limits();
    }

    /**
     * Runs {@code command} within the share of the session's agent (none before a Socket.IO connection has signed
     * in: such a command is only refused); a refusal fails the stage like the connection's own.
     */
    public CompletionStage<Void> run(AgentSession session, Supplier<CompletionStage<Void>> command) {
        if (session == null) {
            return command.get();
        }
        Share share = shares.computeIfAbsent(session.companyId() + '\u0000' + session.agentId(), key -> new Share(limits));
        share.usedAt = System.nanoTime();
        try {
            return share.guard.get(command);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Forgets the shares of agents who sent nothing for four windows (their rate window is long over). */
    void forgetIdle() {
        long idleFor = limits.window().toNanos() * 4;
        long now = System.nanoTime();
        shares.values().removeIf(share -> now - share.usedAt > idleFor);
    }

    private static final class Share {
        final TypedGuard<CompletionStage<Void>> guard;
        volatile long usedAt = System.nanoTime();

        Share(GatewayConfig.Limits limits) {
            this.guard = TypedGuard.create(TYPE)
                    .withRateLimit().limit(limits.agentCommandsPerWindow())
                    .window(limits.window().toMillis(), ChronoUnit.MILLIS).type(RateLimitType.ROLLING).done()
                    .withBulkhead().limit(limits.agentInFlight()).queueSize(limits.agentQueued()).done()
                    .build();
        }
    }
}
