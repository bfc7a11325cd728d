package dev.handover.gateway.service;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import jakarta.enterprise.util.TypeLiteral;

import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;

import dev.handover.gateway.config.GatewayConfig;
import io.smallrye.faulttolerance.api.RateLimitException;
import io.smallrye.faulttolerance.api.RateLimitType;
import io.smallrye.faulttolerance.api.TypedGuard;

/**
 * One connection's share of the work behind the gateway: commands pass a SmallRye Fault Tolerance guard (a
 * rolling rate limit and a bulkhead with a short queue), then their agent's {@link AgentBudgets share}, before they
 * reach customer-service. A refused command costs nothing downstream; a connection that keeps being refused is told
 * to go away.
 */
public final class CommandBudget {

    private static final TypeLiteral<CompletionStage<Void>> TYPE = new TypeLiteral<>() {
    };

    private final TypedGuard<CompletionStage<Void>> guard;
    private final AgentBudgets agents;
    private final long windowNanos;
    private final int closeAfterRefusals;
    private long windowStart = System.nanoTime();
    private int refusals;

    public CommandBudget(GatewayConfig.Limits limits, AgentBudgets agents) {
        this.agents = agents;
        this.guard = TypedGuard.create(TYPE)
                .withRateLimit().limit(limits.commandsPerWindow()).window(limits.window().toMillis(), ChronoUnit.MILLIS)
                .type(RateLimitType.ROLLING).done()
                .withBulkhead().limit(limits.inFlight()).queueSize(limits.queued()).done()
                .build();
        this.windowNanos = limits.window().toNanos();
        this.closeAfterRefusals = limits.closeAfterRefusals();
    }

    /**
     * Runs {@code command} of {@code agent} within the budget and the agent's share; a refused one runs
     * {@code refused} instead (the protocol's own "Too many requests"), followed by {@code abusive} once the connection
     * has been refused too often in one window.
     */
    public void run(AgentSession agent, Supplier<CompletionStage<Void>> command, Runnable refused, Runnable abusive) {
        CompletionStage<Void> guarded;
        try {
            guarded = guard.get(() -> agents.run(agent, command));
        } catch (Exception e) {
            guarded = CompletableFuture.failedFuture(e);
        }
        guarded.whenComplete((done, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof RateLimitException || cause instanceof BulkheadException) {
                refused.run();
                if (tooOften()) {
                    abusive.run();
                }
            }
        });
    }

    private synchronized boolean tooOften() {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            refusals = 0;
        }
        return ++refusals > closeAfterRefusals;
    }
}
