package dev.handover.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a test client received, in order: {@link #next} takes the first unread message that matches, waiting for
 * it if need be, and leaves the others unread for later calls, from any thread.
 */
final class Inbox {

    private final List<JsonNode> seen = new ArrayList<>();
    private final List<JsonNode> unread = new ArrayList<>();

    synchronized void add(JsonNode message) {
        seen.add(message);
        unread.add(message);
        notifyAll();
    }

    synchronized JsonNode next(Predicate<JsonNode> wanted, Duration wait, String what) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                for (Iterator<JsonNode> messages = unread.iterator(); messages.hasNext();) {
                    JsonNode message = messages.next();
                    if (wanted.test(message)) {
                        messages.remove();
                        return message;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " within " + wait.toSeconds() + " s; saw " + seen);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    synchronized List<JsonNode> seen() {
        return List.copyOf(seen);
    }
}
