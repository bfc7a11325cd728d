package dev.handover.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The official socket.io-client, in Node, driven line by line by {@code realtime-gateway/src/test/node/driver.mjs}
 * (its {@code node_modules} come from the gateway build's {@code npm ci}).
 */
public final class SocketIoDriver implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Process node;
    private final OutputStream commands;
    private final Inbox events = new Inbox();
    private final AtomicInteger refs = new AtomicInteger();

    public SocketIoDriver() {
        try {
            node = new ProcessBuilder("node", "driver.mjs")
                    .directory(ServiceProcess.root().resolve("realtime-gateway/src/test/node").toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        } catch (IOException e) {
            throw new UncheckedIOException("node is needed for the Socket.IO tests", e);
        }
        commands = node.getOutputStream();
        Thread reader = new Thread(() -> {
            try (var lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    events.add(JSON.readTree(line));
                }
            } catch (IOException ignored) {
                // the driver ended
            }
        }, "socket.io-driver");
        reader.setDaemon(true);
        reader.start();
    }

    /** Opens socket {@code id}; {@code options} are socket.io-client's (auth, transports, ...). */
    /** The client options of an agent signing in with {@code token}, over WebSocket only (no long-polling first). */
    public static ObjectNode overWebSocket(String token) {
        ObjectNode options = JSON.createObjectNode();
        options.putObject("auth").put("token", token);
        options.putArray("transports").add("websocket");
        return options;
    }

    public void connect(String id, String url, ObjectNode options) {
        command(JSON.createObjectNode().put("op", "connect").put("id", id).put("url", url).set("options", options));
    }

    public void emit(String id, String event, JsonNode payload) {
        command(JSON.createObjectNode().put("op", "emit").put("id", id).put("event", event).set("payload", payload));
    }

    /** Emits with an acknowledgement callback and returns what the server acknowledged with. */
    public JsonNode emitWithAck(String id, String event, JsonNode payload) {
        String ref = "ref-" + refs.incrementAndGet();
        command(JSON.createObjectNode().put("op", "emit").put("id", id).put("event", event).put("ack", ref)
                .set("payload", payload));
        JsonNode ack = next(id, e -> "ack".equals(e.path("event").asText()) && ref.equals(e.path("ref").asText()));
        if (!ack.path("error").isNull()) {
            throw new AssertionError("no acknowledgement: " + ack);
        }
        return ack.get("result");
    }

    /** Connects socket {@code id} again after {@link #close}, with the same options. */
    public void reconnect(String id) {
        command(JSON.createObjectNode().put("op", "reconnect").put("id", id));
    }

    public void close(String id) {
        command(JSON.createObjectNode().put("op", "close").put("id", id));
    }

    /** The next event of socket {@code id} named {@code event}; its first argument for server events. */
    public JsonNode next(String id, String event) {
        return next(id, e -> event.equals(e.path("event").asText()));
    }

    /** The first unread event of socket {@code id} that matches, waiting for it if need be. */
    public JsonNode next(String id, Predicate<JsonNode> wanted) {
        return events.next(e -> id.equals(e.path("id").asText()) && wanted.test(e), WAIT, "matching event for " + id);
    }

    public List<JsonNode> seen() {
        return events.seen();
    }

    private void command(JsonNode command) {
        try {
            commands.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            commands.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            commands.close();
            if (!node.waitFor(5, TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (IOException | InterruptedException e) {
            node.destroyForcibly();
        }
    }
}
