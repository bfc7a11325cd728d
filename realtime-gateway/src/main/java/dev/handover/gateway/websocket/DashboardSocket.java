package dev.handover.gateway.websocket;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.gateway.config.GatewayConfig;
import dev.handover.gateway.service.AgentCommands;
import dev.handover.gateway.service.AgentSession;
import dev.handover.gateway.service.CommandBudget;
import dev.handover.gateway.service.CompanyChannels;
import dev.handover.gateway.service.PresenceTracker;
import dev.handover.gateway.service.TokenVerifier;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.WebSocketBase;

/**
 * The agents' JSON WebSocket, {@code /api/dashboard/ws}. The upgrade needs a valid JWT (an
 * {@code Authorization: Bearer} header, or from browsers the subprotocols {@code handover.v1} and
 * {@code quarkus-http-upgrade#Authorization#Bearer%20<jwt>}); {@code ?last_seq=N} resumes after broadcast N.
 * Maps frames to {@link AgentCommands} and sessions to {@link CompanyChannels}.
 */
@WebSocket(path = "/api/dashboard/ws")
@RolesAllowed({ "agent", "admin" })
public class DashboardSocket {

    /** Policy violation: what the socket is closed with when its token is no longer good. */
    static final int POLICY = 1008;

    private final AgentCommands commands;
    private final CompanyChannels channels;
    private final PresenceTracker presence;
    private final GatewayConfig config;
    private final ObjectMapper json;
    private final Map<String, AgentSession> sessions = new ConcurrentHashMap<>();
    private final Map<String, CommandBudget> budgets = new ConcurrentHashMap<>();

    @Inject
    SecurityIdentity identity;

    public DashboardSocket(AgentCommands commands, CompanyChannels channels, PresenceTracker presence, GatewayConfig config,
            ObjectMapper json) {
        this.presence = presence;
        this.commands = commands;
        this.channels = channels;
        this.config = config;
        this.json = json;
    }

    @OnOpen
    public Uni<Void> open(WebSocketConnection connection) {
        JsonWebToken jwt = (JsonWebToken) identity.getPrincipal();
        String companyId = jwt.getClaim("company_id");
        if (companyId == null || companyId.isBlank()) {
            return connection.sendText(commands.error("Token has no company_id"))
                    .chain(() -> connection.close(new CloseReason(POLICY, "Token has no company_id")));
        }
        Long lastSeq;
        try {
            lastSeq = lastSeq(connection.handshakeRequest().query());
        } catch (NumberFormatException e) {
            return connection.sendText(commands.error("last_seq must be a whole number"))
                    .chain(() -> connection.close(new CloseReason(POLICY, "Bad last_seq")));
        }
        Instant expires = TokenVerifier.expiry(jwt);
        String name = jwt.getClaim("name");
        String email = jwt.getClaim("email");
        AgentSession session = new AgentSession(connection.id(), AgentSession.Protocol.JSON, jwt.getSubject(),
                name != null ? name : jwt.getSubject(), email != null ? email : jwt.getSubject(), companyId,
                jwt.getRawToken(), expires,
                new ConnectionWriter(connection, VertxSockets.socket(connection), VertxSockets.currentLoop()),
                config.maxPendingFrames());
        budgets.put(connection.id(), new CommandBudget(config.limits()));
        sessions.put(connection.id(), session);
        String connected = json.createObjectNode().put("type", "connected")
                .put("message", "WebSocket connection established").put("user_id", jwt.getSubject()).toString();
        session.send(connected);
        presence.connected(session);
        if (channels.join(session, lastSeq) == CompanyChannels.Join.RESYNC_REQUIRED) {
            session.send(json.createObjectNode().put("type", "resync_required").put("last_seq", lastSeq)
                    .put("message", "Events after last_seq are no longer available: reload with get_stopped_customers")
                    .toString());
        }
        return Uni.createFrom().voidItem();
    }

    @OnTextMessage
    public void message(String frame, WebSocketConnection connection) {
        AgentSession session = sessions.get(connection.id());
        if (session == null) {
            return;
        }
        if (session.expired(Instant.now())) {
            session.expire();
        } else if (frame.length() > config.maxMessageBytes() / 4
                && frame.getBytes(StandardCharsets.UTF_8).length > config.maxMessageBytes()) {
            session.send(commands.error("Message too large: the limit is " + config.maxMessageBytes() + " bytes"));
        } else {
            budgets.get(connection.id()).run(() -> commands.handle(session, frame).thenAccept(session::send))
                    .thenAccept(refusal -> {
                        if (refusal != CommandBudget.Refusal.NONE) {
                            session.send(commands.error("Too many requests"));
                        }
                        if (refusal == CommandBudget.Refusal.ABUSE) {
                            session.close("Too many requests");
                        }
                    });
        }
    }

    @OnClose
    public void close(WebSocketConnection connection) {
        budgets.remove(connection.id());
        AgentSession session = sessions.remove(connection.id());
        if (session != null) {
            channels.leave(session);
            presence.disconnected(session);
        }
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

    /** Writes straight to the connection's Vert.x socket and reports when each frame has left. */
    private record ConnectionWriter(WebSocketConnection connection, WebSocketBase socket, Executor loop)
            implements AgentSession.Writer {
        @Override
        public void write(String text, Runnable done) {
            socket.writeTextMessage(text).onComplete(written -> done.run());
        }

        @Override
        public void close(String reason) {
            connection.close(new CloseReason(POLICY, reason)).subscribe().with(ok -> {
            }, failure -> {
            });
        }
    }
}
