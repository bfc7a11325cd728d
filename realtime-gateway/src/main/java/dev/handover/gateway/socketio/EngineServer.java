package dev.handover.gateway.socketio;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.handover.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * Engine.IO v4 over both transports: sessions opened by a long-poll GET or straight by a WebSocket, polling
 * sessions upgraded to a WebSocket ({@code 2probe}/{@code 3probe}, then {@code 5}), the server's heartbeat,
 * and the hand-off of each message packet to the layer above: Socket.IO ({@link SocketIoServer}) on
 * {@code /socket.io/}, and with the test handlers the reference echo ({@link EngineEcho}) on {@code /engine.io/}.
 * Messages over the advertised {@code maxPayload} end the session.
 */
@ApplicationScoped
public class EngineServer {

    private static final Logger LOG = Logger.getLogger(EngineServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a poll that comes between the probe and the upgrade waits for the upgrade: see {@link #poll}. */
    private static final long UPGRADE_GRACE_MS = 10;

    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    /**
     * Sessions the client closed in the last ping timeout, by when. A poll it sent just before the close may be read
     * after it (two connections, perhaps two event loops): that one poll still ends with the close's noop, as the
     * waiting poll does; the next is refused.
     */
    private final Map<String, Long> closedByClient = new ConcurrentHashMap<>();
    private final GatewayConfig.SocketIo config;
    private final SocketIoServer socketIo;
    private final EngineEcho echo;

    public EngineServer(GatewayConfig config, SocketIoServer socketIo, EngineEcho echo) {
        this.config = config.socketIo();
        this.socketIo = socketIo;
        this.echo = echo;
    }

    /** The layer above for a path: Socket.IO, or the echo when the test handlers are on; {@code null}: none. */
    EngineHandler handler(String path) {
        if (path.startsWith("/engine.io")) {
            return config.testHandlers() ? echo : null;
        }
        return socketIo;
    }

    void heartbeat(@Observes StartupEvent start, Vertx vertx) {
        // fine enough that a ping timeout is noticed within a tenth of the shorter of the two times
        long shorter = Math.min(config.pingInterval().toMillis(), config.pingTimeout().toMillis());
        vertx.setPeriodic(Math.max(10, Math.min(1000, shorter / 10)), id -> tick());
    }

    private void tick() {
        long now = System.nanoTime();
        closedByClient.values().removeIf(at -> now - at > config.pingTimeout().toNanos());
        for (EngineSession session : sessions.values()) {
            check(session, now);
        }
    }

    /** Heartbeat and liveness of one session; {@code false} when it had to be closed. */
    private boolean check(EngineSession session, long now) {
        String reason = session.tick(now, config.pingInterval().toNanos(), config.pingTimeout().toNanos(),
                config.connectTimeout().toNanos(), session.handler().connected(session));
        if (reason != null) {
            LOG.debugf("Closing Engine.IO session %s: %s", session.sid(), reason);
            session.close(reason);
            return false;
        }
        return !session.closed();
    }

    /** A WebSocket upgrade asked for a session ({@code sid}), before it is open: see {@link EngineSession#upgradeAsked}. */
    public void upgradeAsked(String sid) {
        EngineSession session = sid == null ? null : sessions.get(sid);
        if (session != null) {
            session.upgradeAsked();
        }
    }

    /**
     * A WebSocket opened on {@code /socket.io/} (or {@code /engine.io/}): a new session, or the probe of a polling
     * one. The socket's handlers hold its session, so nothing else is kept per connection.
     */
    public void opened(ServerWebSocket socket) {
        Map<String, String> query = query(socket.query());
        EngineHandler handler = handler(socket.path());
        if (handler == null || !"4".equals(query.get("EIO")) || !"websocket".equals(query.get("transport"))) {
            socket.close();
            return;
        }
        String sid = query.get("sid");
        EngineSession session;
        if (sid != null) {
            session = sessions.get(sid);
            if (session == null || session.handler() != handler || !session.offerUpgrade(socket)) {
                socket.close();
                return;
            }
        } else {
            session = register(socket, handler);
        }
        socket.textMessageHandler(packet -> {
            if (!packet.isEmpty()) {
                text(socket, session, packet);
            }
        });
        socket.binaryMessageHandler(data -> binary(socket, session, data.getBytes()));
        socket.closeHandler(closed -> {
            if (session.usesWebSocket(socket)) {
                session.close("transport close");
            }
        });
        if (sid == null) {
            session.send(openPacket(session, false));
        }
    }

    private void text(ServerWebSocket socket, EngineSession session, String packet) {
        if (packet.length() > config.maxPayload() / 4 && packet.getBytes(StandardCharsets.UTF_8).length > config.maxPayload()) {
            session.close("message over maxPayload");
            return;
        }
        if (!session.usesWebSocket(socket)) {
            if ("2probe".equals(packet)) {
                session.probe(socket);
                socket.writeTextMessage("3probe");
            } else {
                socket.close();
            }
            return;
        }
        if (session.isUpgrading()) {
            if ("5".equals(packet)) {
                session.upgraded();
            }
            return;
        }
        if (!receive(session, packet)) {
            session.close("invalid packet");
        }
    }

    /** A binary WebSocket frame: a binary message of the session. */
    private void binary(ServerWebSocket socket, EngineSession session, byte[] data) {
        if (!session.usesWebSocket(socket) || session.isUpgrading()) {
            return;
        }
        if (data.length > config.maxPayload()) {
            session.close("message over maxPayload");
            return;
        }
        session.handler().binary(session, data);
    }

    /** {@code GET /socket.io/?EIO=4&transport=polling[&sid=]}. */
    public void get(RoutingContext context, EngineHandler handler) {
        String sid = context.request().getParam("sid");
        if (!validPolling(context)) {
            return;
        }
        if (sid == null) {
            EngineSession session = register(null, handler);
            context.response().putHeader("Content-Type", "text/plain; charset=UTF-8").end(openPacket(session, true));
            return;
        }
        EngineSession session = sessions.get(sid);
        if ((session == null || session.closed()) && crossedTheClose(context, sid)) {
            return;
        }
        if (session == null || session.handler() != handler) {
            badRequest(context, "Session ID unknown");
            return;
        }
        ScheduledExecutorService loop = session.upgradeLoop();
        if (loop == null) {
            poll(context, session, false);
        } else {
            // not at once, even on that loop: after its next read of the network, so that what the client wrote on
            // the WebSocket before this poll (a probe, the upgrade) is read first, whatever that loop was busy with
            loop.schedule(() -> poll(context, session, false), 1, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A poll for a known session. One that comes between a successful probe and the upgrade waits a moment first
     * ({@link #UPGRADE_GRACE_MS}): the client may have sent the upgrade before it, on a connection read a little
     * later, and a poll sent after the upgrade is refused. The official client's own last poll, if it comes then,
     * ends with a noop that moment later.
     */
    private void poll(RoutingContext context, EngineSession session, boolean waited) {
        ScheduledExecutorService loop = session.upgradeLoop();
        if (!waited && loop != null && session.isUpgrading()) {
            loop.schedule(() -> poll(context, session, true), UPGRADE_GRACE_MS, TimeUnit.MILLISECONDS);
            return;
        }
        // a request is also a moment to notice a ping timeout, not only the next heartbeat tick
        if (!check(session, System.nanoTime())) {
            if (!crossedTheClose(context, session.sid())) {
                badRequest(context, "Session ID unknown");
            }
            return;
        }
        if (!session.isPolling()) {
            badRequest(context, "Bad request: the session was upgraded to a WebSocket");
            return;
        }
        if (!session.poll(context)) {
            if (session.closed() && crossedTheClose(context, session.sid())) {
                return;
            }
            session.close("second concurrent poll");
            badRequest(context, "Bad request: overlapping polls");
        }
    }

    /**
     * A poll of a session the client closed while the poll was on its way (read by another event loop, perhaps
     * after the close): it ends with the close's noop, as on a single-threaded server. Only the first such poll;
     * {@code true} when it was answered.
     */
    private boolean crossedTheClose(RoutingContext context, String sid) {
        if (closedByClient.remove(sid) == null) {
            return false;
        }
        context.response().putHeader("Content-Type", "text/plain; charset=UTF-8").end("6");
        return true;
    }

    /**
     * {@code POST /socket.io/?EIO=4&transport=polling&sid=}: packets from the client. A payload with a packet that
     * is not Engine.IO ends the session and gets a 400.
     */
    public void post(RoutingContext context, EngineHandler handler, String body) {
        if (!validPolling(context)) {
            return;
        }
        String sid = context.request().getParam("sid");
        EngineSession session = sid == null ? null : sessions.get(sid);
        if (session == null || session.handler() != handler || !check(session, System.nanoTime())) {
            badRequest(context, "Session ID unknown");
            return;
        }
        List<String> packets = new ArrayList<>();
        for (String packet : body.split(String.valueOf(EngineSession.SEPARATOR))) {
            if (!packet.isEmpty()) {
                packets.add(packet);
            }
        }
        for (String packet : packets) {
            if (!receive(session, packet)) {
                session.close("invalid packet");
                badRequest(context, "Bad request: invalid packet");
                return;
            }
        }
        context.response().putHeader("Content-Type", "text/html").end("ok");
    }

    private boolean validPolling(RoutingContext context) {
        if (!"4".equals(context.request().getParam("EIO")) || !"polling".equals(context.request().getParam("transport"))) {
            badRequest(context, "Unsupported protocol version or transport");
            return false;
        }
        return true;
    }

    /** One packet from the client; {@code false} when it is not an Engine.IO packet. */
    private boolean receive(EngineSession session, String packet) {
        switch (packet.charAt(0)) {
            case '3' -> session.pong();
            case '4' -> session.handler().message(session, packet.substring(1));
            case '1' -> {
                if (session.isPolling()) {
                    closedByClient.put(session.sid(), System.nanoTime());
                }
                if (session.closedByClient()) {
                    closedByClient.remove(session.sid());
                }
            }
            case '6', '2' -> {
                // noop, or a ping the v4 client never sends: nothing to do
            }
            case 'b' -> {
                byte[] data;
                try {
                    data = Base64.getDecoder().decode(packet.substring(1));
                } catch (IllegalArgumentException e) {
                    return false;
                }
                session.handler().binary(session, data);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private EngineSession register(ServerWebSocket connection, EngineHandler handler) {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        EngineSession session = new EngineSession(sid, handler, connection, config.maxQueuedPackets());
        session.onClose(() -> {
            sessions.remove(sid);
            handler.closed(session);
        });
        sessions.put(sid, session);
        return session;
    }

    private String openPacket(EngineSession session, boolean polling) {
        return "0{\"sid\":\"" + session.sid() + "\",\"upgrades\":" + (polling ? "[\"websocket\"]" : "[]")
                + ",\"pingInterval\":" + config.pingInterval().toMillis() + ",\"pingTimeout\":"
                + config.pingTimeout().toMillis() + ",\"maxPayload\":" + config.maxPayload() + "}";
    }

    private static void badRequest(RoutingContext context, String message) {
        context.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                .end("{\"code\":1,\"message\":\"" + message + "\"}");
    }

    private static Map<String, String> query(String query) {
        Map<String, String> values = new ConcurrentHashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return values;
    }

}
