package dev.handover.messenger.service;

import java.time.Duration;
import java.time.Instant;

/**
 * Messenger's rules for when a page may write: a plain {@code RESPONSE} within 24 hours of the customer's last
 * message, the {@code HUMAN_AGENT} tag up to 7 days, nothing after that.
 */
public final class MessagingWindow {

    static final Duration STANDARD = Duration.ofHours(24);
    static final Duration HUMAN_AGENT = Duration.ofDays(7);

    /** How a message may be sent, or {@link #CLOSED}. */
    public enum Decision { RESPONSE, HUMAN_AGENT_TAG, CLOSED }

    private MessagingWindow() {
    }

    /** {@code lastCustomerMessage} unknown counts as a fresh conversation: Facebook has the last word. */
    public static Decision decide(Instant lastCustomerMessage, Instant now) {
        if (lastCustomerMessage == null) {
            return Decision.RESPONSE;
        }
        Duration since = Duration.between(lastCustomerMessage, now);
        if (since.compareTo(STANDARD) <= 0) {
            return Decision.RESPONSE;
        }
        return since.compareTo(HUMAN_AGENT) <= 0 ? Decision.HUMAN_AGENT_TAG : Decision.CLOSED;
    }
}
