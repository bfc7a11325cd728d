package dev.handover.gateway.service;

import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One agent connection, whatever its protocol: who it is (from the JWT verified at the upgrade), until when
 * its token is good, and how to write to it. Live writes are counted until the transport confirms them, so a
 * client that does not read is noticed and cut off instead of growing the server's memory.
 */
public final class AgentSession {

    /** Which protocol the agent speaks, which decides how broadcasts are written to them. */
    public enum Protocol { JSON, SOCKET_IO }

    /** How the transport writes one text frame; it must call {@code done} when the frame has left. */
    public interface Writer {
        void write(String text, Runnable done);

        void close(String reason);

        /** The event loop the connection's writes run on; {@code null} when it has none (HTTP long-polling). */
        default Executor loop() {
            return null;
        }
    }

    private final String id;
    private final Protocol protocol;
    private final String agentId;
    private final String agentName;
    private final String agentEmail;
    private final String companyId;
    private volatile Credentials credentials;
    private final Writer writer;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger replaying = new AtomicInteger();
    private volatile long after = -1;
    private volatile boolean closed;

    public AgentSession(String id, Protocol protocol, String agentId, String agentName, String agentEmail, String companyId,
            String token, Instant expiresAt, Writer writer, int maxPending) {
        this.id = id;
        this.protocol = protocol;
        this.agentId = agentId;
        this.agentName = agentName;
        this.agentEmail = agentEmail;
        this.companyId = companyId;
        this.credentials = new Credentials(token, expiresAt);
        this.writer = writer;
        this.maxPending = maxPending;
    }

    public String id() {
        return id;
    }

    public Protocol protocol() {
        return protocol;
    }

    public String agentId() {
        return agentId;
    }

    public String agentName() {
        return agentName;
    }

    public String agentEmail() {
        return agentEmail;
    }

    public String companyId() {
        return companyId;
    }

    /** The agent's raw JWT, passed on to customer-service: the freshest one the connection presented. */
    public String token() {
        return credentials.token();
    }

    /** Until when the current token is good; {@code null} when it does not expire. */
    public Instant expiresAt() {
        return credentials.expiresAt();
    }

    /** A fresh token of the same agent, verified by {@link TokenVerifier}: the session lives on with it. */
    void renew(String token, Instant expiresAt) {
        this.credentials = new Credentials(token, expiresAt);
    }

    /** Broadcasts up to this {@code seq} were seen already (the agent resumed from it). */
    public long after() {
        return after;
    }

    public void resumeAfter(long seq) {
        this.after = seq;
    }

    public boolean expired(Instant now) {
        Instant expiresAt = credentials.expiresAt();
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

    /**
     * Queues a replayed frame (a resume's catch-up). Replays are bounded by the events a company keeps and are not
     * counted against the slow-client limit, so a resume of every kept event never cuts the agent off.
     */
    public void replay(String text) {
        if (closed) {
            return;
        }
        replaying.incrementAndGet();
        writer.write(text, replaying::decrementAndGet);
    }

    /**
     * Tells the agent their token ran out, in their protocol, and ends the session: the JSON socket is closed,
     * a Socket.IO client is disconnected from the namespace (it may authenticate again on the same connection).
     */
    public void expire() {
        if (protocol == Protocol.JSON) {
            send("{\"type\":\"error\",\"error\":\"Token expired\"}");
            close("Token expired");
        } else {
            send("42[\"error\",{\"code\":\"TOKEN_EXPIRED\",\"message\":\"Token expired\"}]");
            send("41");
            closed = true;
        }
    }

    public void close(String reason) {
        if (!closed) {
            closed = true;
            writer.close(reason);
        }
    }

    /** The event loop this session's writes run on, for broadcasts batched per loop; {@code null}: any thread. */
    public Executor loop() {
        return writer.loop();
    }

    public boolean closed() {
        return closed;
    }

    /** A token and its expiry, replaced together. */
    private record Credentials(String token, Instant expiresAt) {
    }
}
