package dev.handover.messenger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(4, now::get);

    @Test
    void callsOfOnePageAreSpacedAtTheRate() {
        assertEquals(Duration.ZERO, limiter.reserve("p"));
        assertEquals(Duration.ofMillis(250), limiter.reserve("p"));
        assertEquals(Duration.ofMillis(500), limiter.reserve("p"));
        assertEquals(Duration.ZERO, limiter.reserve("other"), "pages do not share a budget");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertEquals(Duration.ZERO, limiter.reserve("p"), "an idle page starts afresh");
    }

    @Test
    void aPauseHoldsBackOnlyThatPage() {
        limiter.pause("p", Duration.ofSeconds(3));
        assertEquals(Duration.ofSeconds(3), limiter.reserve("p"));
        assertEquals(Duration.ofMillis(3250), limiter.reserve("p"));
        assertEquals(Duration.ZERO, limiter.reserve("q"));
    }
}
