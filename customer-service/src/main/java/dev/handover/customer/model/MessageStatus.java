package dev.handover.customer.model;

/** The life of a message's {@code status}; outbound ones only move forward. */
public final class MessageStatus {

    public static final String RECEIVED = "received";
    public static final String QUEUED = "queued";
    public static final String SENT = "sent";
    public static final String FAILED = "failed";
    public static final String DELIVERED = "delivered";
    public static final String READ = "read";

    private MessageStatus() {
    }
}
