package dev.handover.gateway.socketio;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.ext.web.RoutingContext;

/**
 * One Engine.IO v4 session: its transport (HTTP long-polling, then perhaps a WebSocket after the upgrade), the
 * packets waiting for the next poll, and the heartbeat. Whatever the transport, {@link #send} writes one packet.
 */
public final class EngineSession {

    /** Record separator between packets of one polling payload. */
    static final char SEPARATOR = '\u001e';

    private final String sid;
    private final long openedAt = System.nanoTime();
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final Map<String, Object> attributes = new ConcurrentHashMap<>();
    private final int maxQueued;
    private WebSocketConnection webSocket;
    private boolean upgrading;
    private RoutingContext pendingPoll;
    private boolean closed;
    private long pingSentAt = -1;
    private long lastPingAt = System.nanoTime();
    private long lastPollAt = System.nanoTime();
    private Runnable onClose = () -> {
    };

    EngineSession(String sid, WebSocketConnection webSocket, int maxQueued) {
        this.sid = sid;
        this.webSocket = webSocket;
        this.maxQueued = maxQueued;
    }

    public String sid() {
        return sid;
    }

    /** State the protocol layer above keeps with the session. */
    @SuppressWarnings("unchecked")
    public <T> T attribute(String name) {
        return (T) attributes.get(name);
    }

    /** Sets (or, with {@code null}, removes) an attribute. */
    public void attribute(String name, Object value) {
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    void onClose(Runnable callback) {
        this.onClose = callback;
    }

    /** Writes one Engine.IO packet; {@code done} runs once it has left (or was queued for a poll). */
    public void send(String packet, Runnable done) {
        WebSocketConnection socket;
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
        socket.sendText(packet).subscribe().with(ok -> done.run(), failure -> done.run());
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
    synchronized void probe(WebSocketConnection socket) {
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
        WebSocketConnection socket = webSocket;
        while (!queue.isEmpty()) {
            socket.sendText(queue.poll()).subscribe().with(ok -> {
            }, failure -> {
            });
        }
    }

    synchronized boolean usesWebSocket(WebSocketConnection socket) {
        return webSocket != null && webSocket.id().equals(socket.id());
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
            pingSentAt = now;
            lastPingAt = now;
            queueOrSend("2");
        }
        return null;
    }

    private void queueOrSend(String packet) {
        if (webSocket == null || upgrading) {
            queue.add(packet);
            flush();
        } else {
            webSocket.sendText(packet).subscribe().with(ok -> {
            }, failure -> {
            });
        }
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** Ends the session: a waiting poll gets a close packet, a WebSocket is closed. */
    public void close(String reason) {
        WebSocketConnection socket;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (pendingPoll != null) {
                answer("1");
            }
            socket = webSocket;
        }
        if (socket != null && socket.isOpen()) {
            socket.close(new CloseReason(1000, reason)).subscribe().with(ok -> {
            }, failure -> {
            });
        }
        onClose.run();
    }
}
