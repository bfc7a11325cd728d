package dev.handover.gateway.socketio;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.handover.gateway.config.GatewayConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

/**
 * Engine.IO v4 over both transports: sessions opened by a long-poll GET or straight by a WebSocket, polling
 * sessions upgraded to a WebSocket ({@code 2probe}/{@code 3probe}, then {@code 5}), the server's heartbeat,
 * and the hand-off of each message packet to the Socket.IO layer ({@link SocketIoServer}).
 */
@ApplicationScoped
public class EngineServer {

    private static final Logger LOG = Logger.getLogger(EngineServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, EngineSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, EngineSession> byConnection = new ConcurrentHashMap<>();
    private final GatewayConfig.SocketIo config;
    private final SocketIoServer socketIo;

    public EngineServer(GatewayConfig config, SocketIoServer socketIo) {
        this.config = config.socketIo();
        this.socketIo = socketIo;
    }

    void heartbeat(@Observes StartupEvent start, Vertx vertx) {
        // fine enough that a ping timeout is noticed within a tenth of the shorter of the two times
        long shorter = Math.min(config.pingInterval().toMillis(), config.pingTimeout().toMillis());
        vertx.setPeriodic(Math.max(10, Math.min(1000, shorter / 10)), id -> tick());
    }

    private void tick() {
        long now = System.nanoTime();
        for (EngineSession session : sessions.values()) {
            String reason = session.tick(now, config.pingInterval().toNanos(), config.pingTimeout().toNanos(),
                    config.connectTimeout().toNanos(), socketIo.connected(session));
            if (reason != null) {
                LOG.debugf("Closing Engine.IO session %s: %s", session.sid(), reason);
                session.close(reason);
            }
        }
    }

    /** A WebSocket opened on {@code /socket.io/}: a new session, or the probe of a polling one. */
    public void opened(WebSocketConnection connection) {
        Map<String, String> query = query(connection.handshakeRequest().query());
        if (!"4".equals(query.get("EIO")) || !"websocket".equals(query.get("transport"))) {
            connection.close().subscribe().with(ok -> {
            }, failure -> {
            });
            return;
        }
        String sid = query.get("sid");
        if (sid != null) {
            EngineSession session = sessions.get(sid);
            if (session == null || !session.isPolling() || session.isUpgrading()) {
                connection.close().subscribe().with(ok -> {
                }, failure -> {
                });
                return;
            }
            byConnection.put(connection.id(), session);
            return;
        }
        EngineSession session = register(connection);
        byConnection.put(connection.id(), session);
        session.send(openPacket(session, false));
    }

    public void text(WebSocketConnection connection, String packet) {
        EngineSession session = byConnection.get(connection.id());
        if (session == null) {
            return;
        }
        if (!session.usesWebSocket(connection)) {
            if ("2probe".equals(packet)) {
                session.probe(connection);
                connection.sendText("3probe").subscribe().with(ok -> {
                }, failure -> {
                });
            } else {
                connection.close().subscribe().with(ok -> {
                }, failure -> {
                });
            }
            return;
        }
        if (session.isUpgrading()) {
            if ("5".equals(packet)) {
                session.upgraded();
            }
            return;
        }
        receive(session, packet);
    }

    public void closed(WebSocketConnection connection) {
        EngineSession session = byConnection.remove(connection.id());
        if (session != null && session.usesWebSocket(connection)) {
            session.close("transport close");
        }
    }

    /** {@code GET /socket.io/?EIO=4&transport=polling[&sid=]}. */
    public void get(RoutingContext context) {
        String sid = context.request().getParam("sid");
        if (!validPolling(context)) {
            return;
        }
        if (sid == null) {
            EngineSession session = register(null);
            context.response().putHeader("Content-Type", "text/plain; charset=UTF-8").end(openPacket(session, true));
            return;
        }
        EngineSession session = sessions.get(sid);
        if (session == null || session.closed()) {
            badRequest(context, "Session ID unknown");
            return;
        }
        if (!session.isPolling()) {
            badRequest(context, "Bad request: the session was upgraded to a WebSocket");
            return;
        }
        if (!session.poll(context)) {
            session.close("second concurrent poll");
            badRequest(context, "Bad request: overlapping polls");
        }
    }

    /** {@code POST /socket.io/?EIO=4&transport=polling&sid=}: packets from the client. */
    public void post(RoutingContext context, String body) {
        if (!validPolling(context)) {
            return;
        }
        String sid = context.request().getParam("sid");
        EngineSession session = sid == null ? null : sessions.get(sid);
        if (session == null || session.closed()) {
            badRequest(context, "Session ID unknown");
            return;
        }
        for (String packet : body.split(String.valueOf(EngineSession.SEPARATOR))) {
            if (!packet.isEmpty()) {
                receive(session, packet);
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

    private void receive(EngineSession session, String packet) {
        switch (packet.charAt(0)) {
            case '3' -> session.pong();
            case '4' -> socketIo.message(session, packet.substring(1));
            case '1' -> session.close("client close");
            case '6', '2' -> {
                // noop, or a ping the v4 client never sends: nothing to do
            }
            default -> session.close("unknown Engine.IO packet");
        }
    }

    private EngineSession register(WebSocketConnection connection) {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        String sid = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        EngineSession session = new EngineSession(sid, connection, config.maxQueuedPackets());
        session.onClose(() -> {
            sessions.remove(sid);
            socketIo.closed(session);
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
