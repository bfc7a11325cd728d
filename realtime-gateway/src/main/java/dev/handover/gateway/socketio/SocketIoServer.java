package dev.handover.gateway.socketio;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executor;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.gateway.config.GatewayConfig;
import dev.handover.gateway.service.AgentBudgets;
import dev.handover.gateway.service.AgentSession;
import dev.handover.gateway.service.CommandBudget;
import dev.handover.gateway.service.SocketIoEvents;
import dev.handover.gateway.service.StaffConsole;
import dev.handover.gateway.service.TokenVerifier;
import dev.handover.gateway.service.TokenVerifier.Verified;

/**
 * Socket.IO v5 on top of Engine.IO: CONNECT of a namespace (the staff console's {@code /}, with its {@code auth}
 * token or a later {@code staff:auth}), events and acknowledgements, binary ones with their attachments,
 * DISCONNECT, and connection state recovery (a {@code pid} in the CONNECT answer, the company's {@code seq} as
 * each broadcast's offset). Events go to {@link StaffConsole}; the token is checked again before every one. With
 * {@code gateway.socket-io.test-handlers} it also answers as the protocol suites' reference server does.
 */
@ApplicationScoped
public class SocketIoServer implements EngineHandler {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String MAIN = "/";
    private static final String TEST_NAMESPACE = "/custom";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);

    private final TokenVerifier tokens;
    private final StaffConsole console;
    private final GatewayConfig config;
    private final AgentBudgets budgets;
    private final ObjectMapper json;

    public SocketIoServer(TokenVerifier tokens, StaffConsole console, GatewayConfig config, AgentBudgets budgets,
            ObjectMapper json) {
        this.tokens = tokens;
        this.budgets = budgets;
        this.console = console;
        this.config = config;
        this.json = json;
    }

    /** What Socket.IO keeps with an Engine.IO session. */
    private static final class State {
        /** The namespaces the session joined. */
        final Set<String> namespaces = new CopyOnWriteArraySet<>();
        /** Whether a CONNECT ever succeeded: the connect timeout is for the first one only. */
        volatile boolean everConnected;
        volatile AgentSession agent;
        /** The connection's {@link CommandBudget}: kept across re-authentications on the same connection. */
        volatile CommandBudget budget;
        /** A binary packet waiting for its attachments. */
        volatile Partial partial;
    }

    private static State state(EngineSession session) {
        State state = session.attachment();
        if (state == null) {
            synchronized (session) {
                state = session.attachment();
                if (state == null) {
                    state = new State();
                    session.attach(state);
                }
            }
        }
        return state;
    }

    private static Set<String> namespaces(EngineSession session) {
        return state(session).namespaces;
    }

    @Override
    public boolean connected(EngineSession session) {
        return state(session).everConnected;
    }

    @Override
    public void closed(EngineSession session) {
        AgentSession agent = state(session).agent;
        if (agent != null) {
            console.leave(agent);
        }
    }

    /** A binary packet and the attachments received so far. */
    private record Partial(SocketIoPacket packet, List<byte[]> attachments) {
    }

    /** One Socket.IO packet (the Engine.IO message's payload); a binary one waits for its attachments. */
    @Override
    public void message(EngineSession session, String text) {
        if (state(session).partial != null) {
            session.close("a packet while binary attachments were awaited");
            return;
        }
        SocketIoPacket packet;
        try {
            packet = SocketIoPacket.parse(text, json);
        } catch (SocketIoPacket.Invalid e) {
            session.close("invalid Socket.IO packet: " + e.getMessage());
            return;
        }
        if (packet.attachments() > 0) {
            state(session).partial = new Partial(packet, new ArrayList<>());
        } else {
            dispatch(session, packet, List.of());
        }
    }

    /** An attachment of the binary packet received last. */
    @Override
    public void binary(EngineSession session, byte[] data) {
        Partial partial = state(session).partial;
        if (partial == null) {
            session.close("binary data without a binary packet");
            return;
        }
        partial.attachments().add(data);
        if (partial.attachments().size() == partial.packet().attachments()) {
            state(session).partial = null;
            dispatch(session, partial.packet(), partial.attachments());
        }
    }

    private void dispatch(EngineSession session, SocketIoPacket packet, List<byte[]> attachments) {
        if (packet.type() == SocketIoPacket.CONNECT) {
            connect(session, packet);
            return;
        }
        if (!namespaces(session).contains(packet.namespace())) {
            // as the reference server: packets for a namespace the client is not in are dropped
            return;
        }
        switch (packet.type()) {
            case SocketIoPacket.DISCONNECT -> disconnect(session, packet.namespace());
            case SocketIoPacket.EVENT, SocketIoPacket.BINARY_EVENT -> event(session, packet, attachments);
            default -> {
                // acknowledgements of server events: the server asks for none
            }
        }
    }

    private void connect(EngineSession session, SocketIoPacket packet) {
        String namespace = packet.namespace();
        String prefix = SocketIoPacket.prefix(namespace);
        boolean known = MAIN.equals(namespace) || config.socketIo().testHandlers() && TEST_NAMESPACE.equals(namespace);
        if (!known) {
            session.send("44" + prefix + "{\"message\":\"Invalid namespace\"}");
            return;
        }
        JsonNode auth = packet.data() == null ? json.createObjectNode() : packet.data();
        boolean joined = false;
        String pid = null;
        if (MAIN.equals(namespace)) {
            String token = auth.path("token").asText(null);
            if (token != null) {
                Verified verified = tokens.verify(token);
                AgentSession previous = state(session).agent;
                if (previous != null) {
                    // a second CONNECT replaces the first agent session: never two of them in the company channel
                    console.leave(previous);
                    state(session).agent = null;
                }
                if (verified.ok()) {
                    authenticate(session, verified.jwt());
                } else if (!config.socketIo().testHandlers()) {
                    session.send("44{\"message\":\"unauthorized\",\"data\":{\"code\":\"" + verified.code() + "\",\"reason\":\""
                            + verified.error() + "\"}}");
                    return;
                }
            }
            if (config.socketIo().connectionStateRecovery()) {
                pid = newId();
                AgentSession agent = state(session).agent;
                Long offset = offset(auth);
                if (agent != null && offset != null && auth.path("pid").isTextual()) {
                    // what came after the offset is replayed before the CONNECT answer (the client emits it right
                    // after); the client's pid back means recovered, a new one that it must reload
                    joined = true;
                    if (console.joined(agent, offset)) {
                        pid = auth.path("pid").asText();
                    }
                }
            }
        }
        namespaces(session).add(namespace);
        state(session).everConnected = true;
        ObjectNode handshake = json.createObjectNode().put("sid", newId());
        if (pid != null) {
            handshake.put("pid", pid);
        }
        session.send("40" + prefix + handshake);
        AgentSession agent = state(session).agent;
        if (MAIN.equals(namespace) && agent != null && !joined) {
            console.joined(agent);
        }
        if (config.socketIo().testHandlers()) {
            session.send("42" + prefix + json.createArrayNode().add("auth").add(auth));
        }
    }

    private static Long offset(JsonNode auth) {
        try {
            return auth.path("offset").isTextual() ? Long.parseLong(auth.path("offset").asText()) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void disconnect(EngineSession session, String namespace) {
        namespaces(session).remove(namespace);
        AgentSession agent = state(session).agent;
        if (MAIN.equals(namespace) && agent != null) {
            console.leave(agent);
            state(session).agent = null;
        }
    }

    private void event(EngineSession session, SocketIoPacket packet, List<byte[]> attachments) {
        ArrayNode events = (ArrayNode) packet.data();
        String name = events.get(0).asText();
        String prefix = SocketIoPacket.prefix(packet.namespace());
        Long ack = packet.ackId();
        if (config.socketIo().testHandlers() && ("message".equals(name) || "message-with-ack".equals(name))) {
            echo(session, packet, prefix, attachments);
            return;
        }
        StaffConsole.Reply reply = frame -> session.send(frame);
        StaffConsole.Ack acknowledge = ack == null ? result -> {
        } : result -> session.send(SocketIoEvents.ack(ack, result));
        if (!MAIN.equals(packet.namespace())) {
            console.refuse(name, "UNKNOWN_EVENT", "No such event in " + packet.namespace(), frame -> session.send(
                    "42" + prefix + frame.substring(2)), acknowledge);
            return;
        }
        if (packet.type() == SocketIoPacket.BINARY_EVENT) {
            console.refuse(name, "INVALID_PAYLOAD", "Binary data is not accepted here", reply, acknowledge);
            return;
        }
        JsonNode payload = events.size() > 1 ? events.get(1) : json.createObjectNode();
        CommandBudget budget = state(session).budget;
        if (budget == null) {
            budget = new CommandBudget(config.limits(), budgets);
            state(session).budget = budget;
        }
        budget.run(state(session).agent, () -> event(session, name, payload, reply, acknowledge),
                () -> console.refuse(name, "RATE_LIMITED", "Too many requests", reply, acknowledge),
                () -> session.close("Too many requests"));
    }

    /**
     * The reference server's handlers: {@code message} comes back as {@code message-back} with the same arguments,
     * {@code message-with-ack} is answered through its acknowledgement; binary attachments are sent back too.
     */
    private void echo(EngineSession session, SocketIoPacket packet, String prefix, List<byte[]> attachments) {
        ArrayNode args = ((ArrayNode) packet.data()).deepCopy();
        boolean binary = !attachments.isEmpty();
        String head = binary ? attachments.size() + "-" + prefix : prefix;
        if ("message".equals(args.get(0).asText())) {
            args.set(0, json.getNodeFactory().textNode("message-back"));
            session.send("4" + (binary ? "5" : "2") + head + args);
        } else if (packet.ackId() != null) {
            args.remove(0);
            session.send("4" + (binary ? "6" : "3") + head + packet.ackId() + args);
        } else {
            return;
        }
        attachments.forEach(session::sendBinary);
    }

    private CompletionStage<Void> event(EngineSession session, String name, JsonNode payload, StaffConsole.Reply reply,
            StaffConsole.Ack acknowledge) {
        if ("staff:auth".equals(name)) {
            staffAuth(session, payload, reply, acknowledge);
            return DONE;
        }
        AgentSession agent = state(session).agent;
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
            state(session).agent = null;
            namespaces(session).remove(MAIN);
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
        AgentSession previous = state(session).agent;
        if (error == null && previous != null && !previous.closed() && TokenVerifier.sameAgent(previous, verified.jwt())) {
            // the same agent with a fresh token: the session lives on, nothing missed, nothing sent twice
            tokens.renew(previous, verified);
            reply.send(SocketIoEvents.packet("staff:auth:response", response));
        } else if (error == null) {
            if (previous != null) {
                console.leave(previous);
            }
            authenticate(session, verified.jwt());
            reply.send(SocketIoEvents.packet("staff:auth:response", response));
            console.joined(state(session).agent);
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
        state(session).agent = agent;
    }

    private static String newId() {
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

        @Override
        public Executor loop() {
            return session.loop();
        }
    }
}
