package dev.handover.messenger.service;

import static dev.handover.messenger.service.MessagingWindow.Decision.CLOSED;
import static dev.handover.messenger.service.MessagingWindow.Decision.HUMAN_AGENT_TAG;
import static dev.handover.messenger.service.MessagingWindow.Decision.RESPONSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class MessagingWindowTest {

    private static final Instant NOW = Instant.parse("2026-11-21T12:00:00Z");

    @Test
    void twentyFourHoursOfResponsesThenSevenDaysOfHumanAgentThenNothing() {
        assertEquals(RESPONSE, MessagingWindow.decide(NOW.minusSeconds(5), NOW));
        assertEquals(RESPONSE, MessagingWindow.decide(NOW.minus(Duration.ofHours(24)), NOW));
        assertEquals(HUMAN_AGENT_TAG, MessagingWindow.decide(NOW.minus(Duration.ofHours(24)).minusSeconds(1), NOW));
        assertEquals(HUMAN_AGENT_TAG, MessagingWindow.decide(NOW.minus(Duration.ofDays(7)), NOW));
        assertEquals(CLOSED, MessagingWindow.decide(NOW.minus(Duration.ofDays(7)).minusSeconds(1), NOW));
        assertEquals(RESPONSE, MessagingWindow.decide(null, NOW));
    }
}
