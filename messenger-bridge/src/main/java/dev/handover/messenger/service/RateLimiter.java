package dev.handover.messenger.service;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Spaces calls per page so that this replica never exceeds {@code ratePerSecond} for a page: each call gets the
 * next free slot. A rate-limit answer from Facebook pushes the page's next slot back ({@link #pause}), for
 * that page only.
 */
public final class RateLimiter {

    private final long interval;
    private final LongSupplier nanoTime;
    private final Map<String, Long> nextSlot = new ConcurrentHashMap<>();

    public RateLimiter(int ratePerSecond, LongSupplier nanoTime) {
        this.interval = Duration.ofSeconds(1).toNanos() / ratePerSecond;
        this.nanoTime = nanoTime;
    }

    /** Reserves the page's next free slot and returns how long to wait for it (zero when it is free now). */
    public Duration reserve(String pageId) {
        long now = nanoTime.getAsLong();
        long[] slot = new long[1];
        nextSlot.compute(pageId, (page, next) -> {
            slot[0] = next == null ? now : Math.max(now, next);
            return slot[0] + interval;
        });
        return Duration.ofNanos(slot[0] - now);
    }

    /** Keeps the page quiet for {@code backoff} from now. */
    public void pause(String pageId, Duration backoff) {
        long until = nanoTime.getAsLong() + backoff.toNanos();
        nextSlot.merge(pageId, until, Math::max);
    }
}
