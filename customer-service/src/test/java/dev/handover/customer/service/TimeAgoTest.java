package dev.handover.customer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class TimeAgoTest {

    @Test
    void readsLikeAPerson() {
        assertEquals("just now", TimeAgo.format(Duration.ofSeconds(59)));
        assertEquals("just now", TimeAgo.format(Duration.ofSeconds(-5)));
        assertEquals("1 minute ago", TimeAgo.format(Duration.ofSeconds(60)));
        assertEquals("5 minutes ago", TimeAgo.format(Duration.ofMinutes(5)));
        assertEquals("1 hour ago", TimeAgo.format(Duration.ofMinutes(61)));
        assertEquals("23 hours ago", TimeAgo.format(Duration.ofHours(23)));
        assertEquals("2 days ago", TimeAgo.format(Duration.ofHours(49)));
        assertEquals("3 months ago", TimeAgo.format(Duration.ofDays(95)));
        assertEquals("2 years ago", TimeAgo.format(Duration.ofDays(800)));
    }
}
