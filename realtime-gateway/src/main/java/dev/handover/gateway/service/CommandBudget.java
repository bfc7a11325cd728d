package dev.handover.gateway.service;

import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
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
 * rolling rate limit and a bulkhead with a short queue) before they reach customer-service. A refused command
 * costs nothing downstream; a connection that keeps being refused is told to go away.
 */
public final class CommandBudget {

    /** Why a command was not carried out. */
    public enum Refusal { NONE, REFUSED, ABUSE }

    private static final TypeLiteral<CompletionStage<Void>> TYPE = new TypeLiteral<>() {
    };

    private final TypedGuard<CompletionStage<Void>> guard;
    private final long windowNanos;
    private final int closeAfterRefusals;
    private long windowStart = System.nanoTime();
    private int refusals;

    public CommandBudget(GatewayConfig.Limits limits) {
        this.guard = TypedGuard.create(TYPE)
                .withRateLimit().limit(limits.commandsPerWindow()).window(limits.window().toMillis(), ChronoUnit.MILLIS)
                .type(RateLimitType.ROLLING).done()
                .withBulkhead().limit(limits.inFlight()).queueSize(limits.queued()).done()
                .build();
        this.windowNanos = limits.window().toNanos();
        this.closeAfterRefusals = limits.closeAfterRefusals();
    }

    /**
     * Runs {@code command} within the budget. The returned stage completes with {@link Refusal#NONE} once the
     * command is done, or at once with why it was refused.
     */
    public CompletionStage<Refusal> run(Supplier<CompletionStage<Void>> command) {
        CompletionStage<Void> guarded;
        try {
            guarded = guard.get(command);
        } catch (Exception e) {
            guarded = CompletableFuture.failedFuture(e);
        }
        return guarded.handle((done, failure) -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            if (cause instanceof RateLimitException || cause instanceof BulkheadException) {
                return refused();
            }
            return Refusal.NONE;
        });
    }

    private synchronized Refusal refused() {
        long now = System.nanoTime();
        if (now - windowStart > windowNanos) {
            windowStart = now;
            refusals = 0;
        }
        return ++refusals > closeAfterRefusals ? Refusal.ABUSE : Refusal.REFUSED;
    }
}
