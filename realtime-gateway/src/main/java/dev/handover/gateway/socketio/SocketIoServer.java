package dev.handover.gateway.socketio;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.handover.gateway.config.GatewayConfig;
import dev.handover.gateway.service.AgentSession;
import dev.handover.gateway.service.SocketIoEvents;
import dev.handover.gateway.service.CommandBudget;
import dev.handover.gateway.service.StaffConsole;
import dev.handover.gateway.service.TokenVerifier;
import dev.handover.gateway.service.TokenVerifier.Verified;

/**
 * Socket.IO v5 on top of Engine.IO: the CONNECT of the default namespace with its {@code auth} token (or a
 * later {@code staff:auth}), events and acknowledgements, DISCONNECT. Events go to {@link StaffConsole}; the
 * token is checked again before every one.
 */
@ApplicationScoped
public class SocketIoServer {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String CONNECTED = "sio.connected";
    private static final String AGENT = "sio.agent";
    /** The connection's {@link CommandBudget}: kept across re-authentications on the same connection. */
    private static final String BUDGET = "sio.budget";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final TokenVerifier tokens;
    private final StaffConsole console;
    private final GatewayConfig config;
    private final ObjectMapper json;

    public SocketIoServer(TokenVerifier tokens, StaffConsole console, GatewayConfig config, ObjectMapper json) {
        this.tokens = tokens;
        this.console = console;
        this.config = config;
        this.json = json;
    }

    boolean connected(EngineSession session) {
        return Boolean.TRUE.equals(session.attribute(CONNECTED));
    }

    void closed(EngineSession session) {
        AgentSession agent = session.attribute(AGENT);
        if (agent != null) {
            console.leave(agent);
        }
    }

    /** One Socket.IO packet (the Engine.IO message's payload). */
    void message(EngineSession session, String packet) {
        if (packet.isEmpty()) {
            session.close("empty Socket.IO packet");
            return;
        }
        char type = packet.charAt(0);
        String rest = packet.substring(1);
        String namespace = "/";
        if (rest.startsWith("/")) {
            int comma = rest.indexOf(',');
            namespace = comma < 0 ? rest : rest.substring(0, comma);
            rest = comma < 0 ? "" : rest.substring(comma + 1);
        }
        if (type == '0') {
            connect(session, namespace, rest);
            return;
        }
        if (!connected(session)) {
            session.close("a first packet that is not CONNECT");
            return;
        }
        switch (type) {
            case '1' -> disconnect(session);
            case '2' -> event(session, rest);
            case '3' -> {
                // acknowledgements of server events: the server asks for none
            }
            default -> session.close("unsupported Socket.IO packet type " + type);
        }
    }

    private void connect(EngineSession session, String namespace, String payload) {
        if (!"/".equals(namespace)) {
            session.send("44" + namespace + ",{\"message\":\"Invalid namespace\"}");
            return;
        }
        String token = null;
        if (!payload.isBlank()) {
            try {
                JsonNode auth = json.readTree(payload);
                token = auth.path("token").asText(null);
            } catch (java.io.IOException e) {
                session.close("malformed CONNECT payload");
                return;
            }
        }
        if (token != null) {
            Verified verified = tokens.verify(token);
            AgentSession previous = session.attribute(AGENT);
            if (previous != null) {
                // a second CONNECT replaces the first agent session: never two of them in the company channel
                console.leave(previous);
                session.attribute(AGENT, null);
            }
            if (verified.error() != null) {
                session.send("44{\"message\":\"unauthorized\",\"data\":{\"code\":\"" + verified.code() + "\",\"reason\":\""
                        + verified.error() + "\"}}");
                return;
            }
            authenticate(session, verified.jwt());
        }
        session.attribute(CONNECTED, true);
        session.send("40{\"sid\":\"" + socketId() + "\"}");
        AgentSession agent = session.attribute(AGENT);
        if (agent != null) {
            console.joined(agent);
        }
    }

    private void disconnect(EngineSession session) {
        session.attribute(CONNECTED, false);
        AgentSession agent = session.attribute(AGENT);
        if (agent != null) {
            console.leave(agent);
            session.attribute(AGENT, null);
        }
    }

    private void event(EngineSession session, String rest) {
        int bracket = rest.indexOf('[');
        Long ackId = null;
        JsonNode array;
        try {
            if (bracket < 0) {
                throw new IllegalArgumentException("no payload");
            }
            if (bracket > 0) {
                ackId = Long.parseLong(rest.substring(0, bracket));
            }
            array = json.readTree(rest.substring(bracket));
        } catch (IllegalArgumentException | java.io.IOException e) {
            session.close("malformed Socket.IO event");
            return;
        }
        if (!(array instanceof ArrayNode events) || events.isEmpty() || !events.get(0).isTextual()) {
            session.close("malformed Socket.IO event");
            return;
        }
        String name = events.get(0).asText();
        JsonNode payload = events.size() > 1 ? events.get(1) : json.createObjectNode();
        Long ack = ackId;
        StaffConsole.Reply reply = frame -> session.send(frame);
        StaffConsole.Ack acknowledge = ack == null ? result -> {
        } : result -> session.send(SocketIoEvents.ack(ack, result));

        CommandBudget budget = session.attribute(BUDGET);
        if (budget == null) {
            budget = new CommandBudget(config.limits());
            session.attribute(BUDGET, budget);
        }
        budget.run(() -> event(session, name, payload, reply, acknowledge)).thenAccept(refusal -> {
            if (refusal != CommandBudget.Refusal.NONE) {
                console.refuse(name, "RATE_LIMITED", "Too many requests", reply, acknowledge);
            }
            if (refusal == CommandBudget.Refusal.ABUSE) {
                session.close("Too many requests");
            }
        });
    }

    private CompletionStage<Void> event(EngineSession session, String name, JsonNode payload, StaffConsole.Reply reply,
            StaffConsole.Ack acknowledge) {
        if ("staff:auth".equals(name)) {
            staffAuth(session, payload, reply, acknowledge);
            return DONE;
        }
        AgentSession agent = session.attribute(AGENT);
        if (agent == null) {
            console.refuse(name, "UNAUTHORIZED", "Authenticate first: staff:auth or the auth token of the connection",
                    reply, acknowledge);
            return DONE;
        }
        if (agent.expired(Instant.now()) || agent.closed()) {
            acknowledge.send(SocketIoEvents.object().put("ok", false).set("error",
                    SocketIoEvents.object().put("code", "TOKEN_EXPIRED").put("message", "Token expired")));
            agent.expire();
            console.leave(agent);
            session.attribute(AGENT, null);
            session.attribute(CONNECTED, false);
            return DONE;
        }
        return console.handle(agent, name, payload, reply, acknowledge);
    }

    private void staffAuth(EngineSession session, JsonNode payload, StaffConsole.Reply reply, StaffConsole.Ack ack) {
        Verified verified = tokens.verify(payload.path("token").asText(""));
        String staffId = payload.path("staffId").asText(null);
        String error = verified.error();
        if (error == null && staffId != null && !staffId.equals(verified.jwt().getSubject())) {
            error = "staffId does not match the token";
        }
        var response = json.createObjectNode().put("success", error == null);
        if (error != null) {
            response.put("error", error);
        }
        AgentSession previous = session.attribute(AGENT);
        if (error == null && previous != null && !previous.closed()
                && previous.agentId().equals(verified.jwt().getSubject())
                && previous.companyId().equals(verified.jwt().getClaim("company_id"))) {
            // the same agent with a fresh token: the session lives on, nothing missed, nothing sent twice
            tokens.renew(previous, verified.jwt().getRawToken());
            reply.send(SocketIoEvents.packet("staff:auth:response", response));
        } else if (error == null) {
            if (previous != null) {
                console.leave(previous);
            }
            authenticate(session, verified.jwt());
            reply.send(SocketIoEvents.packet("staff:auth:response", response));
            console.joined(session.attribute(AGENT));
        } else {
            reply.send(SocketIoEvents.packet("staff:auth:response", response));
        }
        ack.send(response);
    }

    private void authenticate(EngineSession session, JsonWebToken jwt) {
        String name = jwt.getClaim("name");
        Instant expires = TokenVerifier.expiry(jwt);
        String email = jwt.getClaim("email");
        AgentSession agent = new AgentSession(session.sid(), AgentSession.Protocol.SOCKET_IO, jwt.getSubject(),
                name != null ? name : jwt.getSubject(), email != null ? email : jwt.getSubject(), jwt.getClaim("company_id"),
                jwt.getRawToken(), expires,
                new EngineWriter(session), config.maxPendingFrames());
        session.attribute(AGENT, agent);
    }

    private static String socketId() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Writes an agent's frames to their Engine.IO session, whatever its transport. */
    private record EngineWriter(EngineSession session) implements AgentSession.Writer {
        @Override
        public void write(String text, Runnable done) {
            session.send(text, done);
        }

        @Override
        public void close(String reason) {
            session.close(reason);
        }
    }
}
