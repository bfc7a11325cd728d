package dev.handover.gateway.websocket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.gateway.config.GatewayConfig;
import dev.handover.gateway.service.AgentBudgets;
import dev.handover.gateway.service.AgentCommands;
import dev.handover.gateway.service.AgentSession;
import dev.handover.gateway.service.CommandBudget;
import dev.handover.gateway.service.CompanyChannels;
import dev.handover.gateway.service.PresenceTracker;
import dev.handover.gateway.service.TokenVerifier;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The agents' JSON WebSocket, {@code /api/dashboard/ws}, served straight from a Vert.x route. The upgrade needs a
 * valid JWT of an agent or admin (an {@code Authorization: Bearer} header, or from browsers the subprotocols
 * {@code handover.v1} and {@code quarkus-http-upgrade#Authorization#Bearer%20<jwt>}), verified here before any
 * other handler, so that nothing of the upgrade request (headers, routing context, security identity) outlives
 * it: a connection keeps only its Vert.x socket (without the request's headers) and its {@link AgentSession}. {@code ?last_seq=N} resumes after
 * broadcast N. Maps frames to {@link AgentCommands} and sessions to {@link CompanyChannels}.
 */
@ApplicationScoped
public class DashboardSocket {

    /** The path agents connect to. */
    public static final String PATH = "/api/dashboard/ws";
    /** The subprotocol browsers name, the one the server answers with. */
    public static final String SUBPROTOCOL = "handover.v1";
    /** Policy violation: what the socket is closed with when its token is no longer good. */
    static final int POLICY = 1008;
    /** Going away: what a silent socket is closed with. */
    static final int GOING_AWAY = 1001;
    /** Runs before Quarkus's HTTP authentication (order -200), which would build a security identity. */
    static final int ROUTE_ORDER = -300;

    private static final String TOKEN_PROTOCOL = "quarkus-http-upgrade#Authorization#";
    private static final AtomicLong IDS = new AtomicLong();

    private final AgentCommands commands;
    private final CompanyChannels channels;
    private final PresenceTracker presence;
    private final TokenVerifier verifier;
    private final GatewayConfig config;
    private final AgentBudgets budgets;
    private final ObjectMapper json;
    private final Map<ServerWebSocket, Connection> open = new ConcurrentHashMap<>();

    public DashboardSocket(AgentCommands commands, CompanyChannels channels, PresenceTracker presence, TokenVerifier verifier,
            GatewayConfig config, AgentBudgets budgets, ObjectMapper json) {
        this.commands = commands;
        this.budgets = budgets;
        this.channels = channels;
        this.presence = presence;
        this.verifier = verifier;
        this.config = config;
        this.json = json;
    }

    void routes(@Observes Router router) {
        router.route(HttpMethod.GET, PATH).order(ROUTE_ORDER).handler(this::upgrade);
    }

    /**
     * Keep-alive pings on every open socket, so that proxies between agents and the gateway keep them open; a socket
     * silent for longer than a ping interval and {@code gateway.ping-timeout} is a dead peer and is closed (the
     * sockets have no HTTP idle timeout: see {@link Sockets#prepare}).
     */
    void pings(@Observes StartupEvent start, Vertx vertx) {
        Buffer ping = Buffer.buffer("keep-alive");
        long deadline = config.pingInterval().plus(config.pingTimeout()).toNanos();
        vertx.setPeriodic(config.pingInterval().toMillis(), id -> {
            long now = System.nanoTime();
            open.forEach((socket, connection) -> {
                if (now - connection.heardAt > deadline) {
                    // a dead peer never completes the closing handshake: its agent is gone now, not when it times out
                    closed(socket, connection.session);
                    socket.close((short) GOING_AWAY, "Ping timeout");
                } else {
                    socket.writePing(ping);
                }
            });
        });
    }

    private void upgrade(RoutingContext context) {
        String upgrade = context.request().getHeader("Upgrade");
        if (upgrade == null || !upgrade.equalsIgnoreCase("websocket")) {
            refuse(context, 400, "Expected a WebSocket upgrade");
            return;
        }
        TokenVerifier.Verified verified = verifier.verify(token(context));
        if (verified.jwt() == null) {
            refuse(context, 401, verified.error());
            return;
        }
        if (!verified.jwt().getGroups().contains("agent") && !verified.jwt().getGroups().contains("admin")) {
            refuse(context, 403, "Agents and admins only");
            return;
        }
        String query = context.request().query();
        HttpConnection connection = context.request().connection();
        context.request().toWebSocket().onSuccess(socket -> {
            Sockets.prepare(socket, connection);
            opened(socket, verified, query);
        })
                .onFailure(failure -> context.fail(400, failure));
    }

    private void opened(ServerWebSocket socket, TokenVerifier.Verified verified, String query) {
        if (!verified.ok()) {
            socket.writeTextMessage(commands.error(verified.error()))
                    .onComplete(written -> socket.close((short) POLICY, verified.error()));
            return;
        }
        Long lastSeq;
        try {
            lastSeq = lastSeq(query);
        } catch (NumberFormatException e) {
            socket.writeTextMessage(commands.error("last_seq must be a whole number"))
                    .onComplete(written -> socket.close((short) POLICY, "Bad last_seq"));
            return;
        }
        JsonWebToken jwt = verified.jwt();
        String name = jwt.getClaim("name");
        String email = jwt.getClaim("email");
        AgentSession session = new AgentSession("ws-" + Long.toString(IDS.incrementAndGet(), 36), AgentSession.Protocol.JSON,
                jwt.getSubject(), name != null ? name : jwt.getSubject(), email != null ? email : jwt.getSubject(),
                jwt.getClaim("company_id"), jwt.getRawToken(), TokenVerifier.expiry(jwt),
                new SocketWriter(socket, Sockets.currentLoop()), config.maxPendingFrames());
        Connection connection = new Connection(session);
        open.put(socket, connection);
        socket.textMessageHandler(connection::message);
        socket.binaryMessageHandler(data -> {
            connection.heardAt = System.nanoTime();
            session.send(commands.error("Expected a text frame with a JSON object"));
        });
        socket.pongHandler(pong -> connection.heardAt = System.nanoTime());
        socket.closeHandler(closed -> closed(socket, session));
        session.send(json.createObjectNode().put("type", "connected").put("message", "WebSocket connection established")
                .put("user_id", jwt.getSubject()).toString());
        presence.connected(session);
        if (channels.join(session, lastSeq) == CompanyChannels.Join.RESYNC_REQUIRED) {
            session.send(json.createObjectNode().put("type", "resync_required").put("last_seq", lastSeq)
                    .put("message", "Events after last_seq are no longer available: reload with get_stopped_customers")
                    .toString());
        }
    }

    private void closed(ServerWebSocket socket, AgentSession session) {
        if (open.remove(socket) != null) {
            channels.leave(session);
            presence.disconnected(session);
        }
    }

    /** One open connection: its session, when it was last heard from, and its command budget once it sent a command. */
    private final class Connection {
        private final AgentSession session;
        private volatile long heardAt = System.nanoTime();
        private CommandBudget budget;

        Connection(AgentSession session) {
            this.session = session;
        }

        void message(String frame) {
            heardAt = System.nanoTime();
            if (session.expired(Instant.now())) {
                session.expire();
            } else if (frame.length() > config.maxMessageBytes() / 4
                    && frame.getBytes(StandardCharsets.UTF_8).length > config.maxMessageBytes()) {
                session.send(commands.error("Message too large: the limit is " + config.maxMessageBytes() + " bytes"));
            } else {
                if (budget == null) {
                    budget = new CommandBudget(config.limits(), budgets);
                }
                budget.run(session, () -> commands.handle(session, frame).thenAccept(session::send),
                        () -> session.send(commands.error("Too many requests")), () -> session.close("Too many requests"));
            }
        }
    }

    /** The bearer token of the upgrade: the {@code Authorization} header, or the browsers' subprotocol form of it. */
    static String token(RoutingContext context) {
        String header = context.request().getHeader("Authorization");
        if (header == null) {
            String protocols = context.request().getHeader("Sec-WebSocket-Protocol");
            if (protocols != null) {
                for (String protocol : protocols.split(",")) {
                    protocol = protocol.trim();
                    if (protocol.startsWith(TOKEN_PROTOCOL)) {
                        header = URLDecoder.decode(protocol.substring(TOKEN_PROTOCOL.length()), StandardCharsets.UTF_8);
                    }
                }
            }
        }
        return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
    }

    private void refuse(RoutingContext context, int status, String error) {
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(json.createObjectNode().put("error", error).toString());
    }

    static Long lastSeq(String query) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith("last_seq=")) {
                return Long.parseLong(pair.substring("last_seq=".length()));
            }
        }
        return null;
    }

    /** Writes straight to the Vert.x socket and reports when each frame has left. */
    private record SocketWriter(ServerWebSocket socket, Executor loop) implements AgentSession.Writer {
        @Override
        public void write(String text, Runnable done) {
            socket.writeTextMessage(text).onComplete(written -> done.run());
        }

        @Override
        public void close(String reason) {
            socket.close((short) POLICY, reason);
        }
    }
}
