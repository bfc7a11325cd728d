package dev.handover.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A real WebSocket client (the JDK's) speaking the agents' JSON protocol, for tests. */
public final class AgentSocket implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final Inbox frames = new Inbox();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final AtomicInteger pings = new AtomicInteger();
    private final boolean reading;
    private WebSocket socket;

    private AgentSocket(boolean reading) {
        this.reading = reading;
    }

    /** Connects with {@code Authorization: Bearer token}; {@code lastSeq} resumes. */
    public static AgentSocket connect(String url, String token, Long lastSeq) {
        var client = new AgentSocket(true);
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .connectTimeout(WAIT).buildAsync(uri(url, lastSeq), client).join();
        return client;
    }

    /** Connects the way browsers must: the token in a subprotocol (URL-encoded, so that it is an HTTP token). */
    public static AgentSocket connectWithSubprotocol(String url, String token) {
        var client = new AgentSocket(true);
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("handover.v1", "quarkus-http-upgrade#Authorization#Bearer%20" + token)
                .connectTimeout(WAIT).buildAsync(uri(url, null), client).join();
        return client;
    }

    /** Connects, then never reads: a client that lets frames pile up. */
    public static AgentSocket connectAndStall(String url, String token) {
        var client = new AgentSocket(false);
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + token)
                .connectTimeout(WAIT).buildAsync(uri(url, null), client).join();
        return client;
    }

    private static URI uri(String url, Long lastSeq) {
        return URI.create(url + "/api/dashboard/ws" + (lastSeq == null ? "" : "?last_seq=" + lastSeq));
    }

    /** A stalled client starts reading again (and so learns what the server did meanwhile). */
    public void resumeReading() {
        socket.request(Long.MAX_VALUE);
    }

    public void send(String frame) {
        socket.sendText(frame, true).join();
    }

    public void sendBinary(byte[] data) {
        socket.sendBinary(java.nio.ByteBuffer.wrap(data), true).join();
    }

    /** How many pings the server sent (the client answers each with a pong). */
    public int pings() {
        return pings.get();
    }

    /** The next frame of {@code type}, skipping (and keeping) others. */
    public JsonNode next(String type) {
        return next(frame -> type.equals(frame.path("type").asText()));
    }

    /**
     * The first frame not taken yet that matches, waiting for it if need be; frames passed over stay available
     * to later calls, in order.
     */
    public JsonNode next(Predicate<JsonNode> wanted) {
        return frames.next(wanted, WAIT, "matching frame");
    }

    /** Every frame received so far, in order. */
    public List<JsonNode> seen() {
        return frames.seen();
    }

    /** The close code the server sent, once it closed the socket. */
    public int awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    public boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        if (reading) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(JSON.readTree(partial.toString()));
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + partial, e);
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket webSocket, java.nio.ByteBuffer message) {
        pings.incrementAndGet();
        return WebSocket.Listener.super.onPing(webSocket, message);
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.abort();
        }
    }
}
