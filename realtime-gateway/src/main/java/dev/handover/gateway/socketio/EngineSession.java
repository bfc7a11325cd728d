package dev.handover.gateway.socketio;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import dev.handover.gateway.websocket.Sockets;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * One Engine.IO v4 session: its transport (HTTP long-polling, then perhaps a WebSocket after the upgrade), the
 * packets waiting for the next poll, and the heartbeat. Whatever the transport, {@link #send} writes one packet
 * and {@link #sendBinary} one binary message (a binary frame, or {@code b} and base64 in a polling payload).
 */
public final class EngineSession {

    /** Record separator between packets of one polling payload. */
    static final char SEPARATOR = '\u001e';
    private static final Runnable NOTHING = () -> {
    };

    private final String sid;
    private final EngineHandler handler;
    private final long openedAt = System.nanoTime();
    private final ArrayDeque<String> queue = new ArrayDeque<>(2);
    /** What the layer above keeps with the session. */
    private volatile Object attachment;
    private final int maxQueued;
    private ServerWebSocket webSocket;
    /** The event loop of the WebSocket carrying the session, once it does. */
    private volatile Executor loop;
    /** The WebSocket opened for this polling session's upgrade, before its probe: the only one allowed. */
    private ServerWebSocket candidate;
    /** The event loop of that WebSocket. */
    private volatile ScheduledExecutorService candidateLoop;
    private boolean upgrading;
    private RoutingContext pendingPoll;
    private boolean closed;
    private long pingSentAt = -1;
    private long lastPingAt = System.nanoTime();
    private long lastPollAt = System.nanoTime();
    private Runnable onClose = () -> {
    };
    /** WebSocket frames waiting while one is being written; written together once it has left. */
    private final ArrayDeque<Pending> outgoing = new ArrayDeque<>(2);
    private boolean writing;

    private record Pending(String packet, Runnable done) {
    }

    EngineSession(String sid, EngineHandler handler, ServerWebSocket webSocket, int maxQueued) {
        this.sid = sid;
        this.handler = handler;
        this.webSocket = webSocket;
        this.maxQueued = maxQueued;
        this.loop = webSocket == null ? null : Sockets.currentLoop();
    }

    /** The event loop the session's WebSocket writes from; {@code null} while it polls. */
    Executor loop() {
        return loop;
    }

    public String sid() {
        return sid;
    }

    EngineHandler handler() {
        return handler;
    }

    /** What the layer above keeps with the session; {@code null} until it attached something. */
    @SuppressWarnings("unchecked")
    public <T> T attachment() {
        return (T) attachment;
    }

    public void attach(Object value) {
        this.attachment = value;
    }

    void onClose(Runnable callback) {
        this.onClose = callback;
    }

    /** Writes one Engine.IO packet; {@code done} runs once it has left (or was queued for a poll). */
    public void send(String packet, Runnable done) {
        ServerWebSocket socket;
        synchronized (this) {
            if (closed) {
                done.run();
                return;
            }
            if (webSocket == null || upgrading) {
                if (queue.size() >= maxQueued) {
                    close("too many packets waiting for a poll");
                    done.run();
                    return;
                }
                queue.add(packet);
                flush();
                done.run();
                return;
            }
            socket = webSocket;
        }
        transmit(socket, List.of(new Pending(packet, done)));
    }

    /**
     * Writes frames to the WebSocket one batch at a time, as Engine.IO's reference transport does: what is sent
     * while a write is in flight goes out together when it has left, in order, never interleaved with it.
     */
    private void transmit(ServerWebSocket socket, List<Pending> frames) {
        synchronized (this) {
            if (writing) {
                outgoing.addAll(frames);
                return;
            }
            writing = true;
        }
        writeAll(socket, frames);
    }

    private void writeAll(ServerWebSocket socket, List<Pending> frames) {
        for (int i = 0; i < frames.size(); i++) {
            Pending frame = frames.get(i);
            boolean last = i == frames.size() - 1;
            write(socket, frame.packet()).onComplete(result -> written(socket, frame, last));
        }
    }

    private void written(ServerWebSocket socket, Pending frame, boolean last) {
        frame.done().run();
        if (!last) {
            return;
        }
        List<Pending> next;
        synchronized (this) {
            if (outgoing.isEmpty()) {
                writing = false;
                return;
            }
            next = new ArrayList<>(outgoing);
            outgoing.clear();
        }
        writeAll(socket, next);
    }

    /** Writes one binary message. */
    public void sendBinary(byte[] data) {
        send("b" + Base64.getEncoder().encodeToString(data));
    }

    /** Text packets as text frames; a queued binary one ({@code b} and base64) as a binary frame. */
    private static Future<Void> write(ServerWebSocket socket, String packet) {
        return packet.startsWith("b") ? socket.writeBinaryMessage(Buffer.buffer(Base64.getDecoder().decode(packet.substring(1))))
                : socket.writeTextMessage(packet);
    }

    public void send(String packet) {
        send(packet, () -> {
        });
    }

    /** A long-poll GET: answered at once with what is queued, or held until something is. */
    synchronized boolean poll(RoutingContext context) {
        if (closed || webSocket != null && !upgrading || pendingPoll != null) {
            return false;
        }
        lastPollAt = System.nanoTime();
        pendingPoll = context;
        if (upgrading && queue.isEmpty()) {
            // the probe already succeeded: this is the poll the client waits for before it sends the upgrade
            queue.add("6");
        }
        flush();
        return true;
    }

    private void flush() {
        if (pendingPoll != null && !queue.isEmpty()) {
            StringBuilder payload = new StringBuilder();
            while (!queue.isEmpty()) {
                if (payload.length() > 0) {
                    payload.append(SEPARATOR);
                }
                payload.append(queue.poll());
            }
            answer(payload.toString());
        }
    }

    private void answer(String payload) {
        RoutingContext poll = pendingPoll;
        pendingPoll = null;
        poll.response().putHeader("Content-Type", "text/plain; charset=UTF-8").end(payload);
    }

    /**
     * The client probed a WebSocket for this polling session (and gets {@code 3probe}): a waiting poll is ended at
     * once with a noop, so that the client, which waits for it, sends {@code 5} without waiting for a ping.
     */
    synchronized void probe(ServerWebSocket socket) {
        upgrading = true;
        webSocket = socket;
        if (pendingPoll != null) {
            queue.addFirst("6");
            flush();
        }
    }

    /** The client sent {@code 5}: the WebSocket carries the session from now on; a waiting poll gets a noop. */
    synchronized void upgraded() {
        if (pendingPoll != null) {
            queue.addFirst("6");
        }
        flush();
        upgrading = false;
        loop = Sockets.currentLoop();
        List<Pending> queued = new ArrayList<>();
        while (!queue.isEmpty()) {
            queued.add(new Pending(queue.poll(), NOTHING));
        }
        if (!queued.isEmpty()) {
            transmit(webSocket, queued);
        }
    }

    /** A WebSocket opened with this session's id: accepted as the upgrade's only candidate. */
    synchronized boolean offerUpgrade(ServerWebSocket socket) {
        if (closed || candidate != null || webSocket != null) {
            return false;
        }
        candidate = socket;
        if (Sockets.currentLoop() instanceof ScheduledExecutorService loop) {
            candidateLoop = loop;
        }
        return true;
    }

    /**
     * A WebSocket upgrade for this session was asked for on the current event loop, before it is open: polls are
     * handled there from now on, as the first upgrade asked for is the only one that may become the candidate.
     */
    void upgradeAsked() {
        if (candidateLoop == null && Sockets.currentLoop() instanceof ScheduledExecutorService loop) {
            candidateLoop = loop;
        }
    }

    /**
     * The event loop of the WebSocket opened to upgrade the session, if one was: a poll is handled there, after what
     * the client sent over that WebSocket before it (a probe and an upgrade, then a poll: refused, as upgraded).
     */
    ScheduledExecutorService upgradeLoop() {
        return candidateLoop;
    }

    synchronized boolean usesWebSocket(ServerWebSocket socket) {
        return webSocket == socket;
    }

    synchronized boolean isUpgrading() {
        return upgrading;
    }

    synchronized boolean isPolling() {
        return webSocket == null || upgrading;
    }

    synchronized void pong() {
        pingSentAt = -1;
    }

    /** Heartbeat and liveness, called every second; returns why the session must close, or {@code null}. */
    synchronized String tick(long now, long pingInterval, long pingTimeout, long connectTimeout, boolean connected) {
        if (closed) {
            return null;
        }
        if (pingSentAt >= 0 && now - pingSentAt > pingTimeout) {
            return "ping timeout";
        }
        if (!connected && now - openedAt > connectTimeout) {
            return "no CONNECT in time";
        }
        if (isPolling() && pendingPoll == null && now - lastPollAt > pingInterval + pingTimeout) {
            return "client stopped polling";
        }
        if (pingSentAt < 0 && now - lastPingAt >= pingInterval) {
            // timed from when it was due, not from this tick, so the timeout is the configured one to the tick
            pingSentAt = lastPingAt + pingInterval;
            lastPingAt = pingSentAt;
            queueOrSend("2");
        }
        return null;
    }

    private void queueOrSend(String packet) {
        if (webSocket == null || upgrading) {
            queue.add(packet);
            flush();
        } else {
            transmit(webSocket, List.of(new Pending(packet, NOTHING)));
        }
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Ends the session: a waiting poll gets a close packet, a WebSocket is closed. */
    public void close(String reason) {
        close(reason, "1");
    }

    /**
     * The client closed the session ({@code 1}): a waiting poll ends with a noop, as the reference server does.
     * {@code true} when a poll was waiting.
     */
    boolean closedByClient() {
        return close("client close", "6");
    }

    /** {@code true} when a waiting poll got {@code toPendingPoll}. */
    private boolean close(String reason, String toPendingPoll) {
        ServerWebSocket socket;
        List<Pending> unsent;
        boolean answered = false;
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            if (pendingPoll != null) {
                answer(toPendingPoll);
                answered = true;
            }
            socket = webSocket;
            unsent = new ArrayList<>(outgoing);
            outgoing.clear();
        }
        if (socket != null && !socket.isClosed()) {
            // what waited behind a write in flight leaves before the close frame, not never: a flooding agent's
            // "Too many requests" answers were queued there when its connection was closed for them
            unsent.forEach(frame -> write(socket, frame.packet()).onComplete(result -> frame.done().run()));
            socket.close((short) 1000, reason);
        } else {
            unsent.forEach(frame -> frame.done().run());
        }
        onClose.run();
        return answered;
    }
}
