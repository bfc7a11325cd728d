package dev.handover.gateway.service;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent connection, whatever its protocol: who it is (from the JWT verified at the upgrade), until when
 * its token is good, and how to write to it. Writes are counted until the transport confirms them, so a
 * client that does not read is noticed and cut off instead of growing the server's memory.
 */
public final class AgentSession {

    /** How the transport writes one text frame; it must call {@code done} when the frame has left. */
    public interface Writer {
        void write(String text, Runnable done);

        void close(String reason);
    }

    private final String id;
    private final String agentId;
    private final String companyId;
    private final String token;
    private final Instant expiresAt;
    private final Writer writer;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile long after = -1;
    private volatile boolean closed;

    public AgentSession(String id, String agentId, String companyId, String token, Instant expiresAt, Writer writer,
            int maxPending) {
        this.id = id;
        this.agentId = agentId;
        this.companyId = companyId;
        this.token = token;
        this.expiresAt = expiresAt;
        this.writer = writer;
        this.maxPending = maxPending;
    }

    public String id() {
        return id;
    }

    public String agentId() {
        return agentId;
    }

    public String companyId() {
        return companyId;
    }

    /** The agent's raw JWT, passed on to customer-service. */
    public String token() {
        return token;
    }

    /** Broadcasts up to this {@code seq} were seen already (the agent resumed from it). */
    public long after() {
        return after;
    }

    public void resumeAfter(long seq) {
        this.after = seq;
    }

    public boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    /** Queues a frame; a session with too many frames unconfirmed is closed instead. */
    public void send(String text) {
        if (closed) {
            return;
        }
        if (pending.incrementAndGet() > maxPending) {
            close("Too slow: more than " + maxPending + " frames waiting");
            return;
        }
        writer.write(text, pending::decrementAndGet);
    }

    /** Tells the agent their token ran out, and closes the session. */
    public void expire() {
        send("{\"type\":\"error\",\"error\":\"Token expired\"}");
        close("Token expired");
    }

    public void close(String reason) {
        if (!closed) {
            closed = true;
            writer.close(reason);
        }
    }

    public boolean closed() {
        return closed;
    }

    /** For tests and metrics: frames written but not yet confirmed. */
    int pending() {
        return pending.get();
    }

}
