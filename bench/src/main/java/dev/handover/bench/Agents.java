package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

import dev.handover.infra.JwtSigner;

/**
 * Many agents' WebSocket connections for load: tokens, connecting in bulk (64 handshakes in flight), and a frame
 * callback. Speaks the JSON WebSocket, Socket.IO over its WebSocket transport (answering the server's pings), or
 * the raw broadcaster's bare socket.
 */
final class Agents implements AutoCloseable {

    /** Which endpoint the agents connect to. */
    enum Protocol { JSON, SOCKET_IO, RAW }

    private final List<WebSocket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final List<HttpClient> clients = new ArrayList<>();

    static Agents connect(String gateway, PrivateKey key, int count, IntFunction<String> companyOf,
            BiConsumer<Integer, String> onFrame) throws Exception {
        return connect(Protocol.JSON, gateway, key, count, companyOf, onFrame);
    }

    /**
     * Opens {@code count} connections, agent {@code i} in company {@code companyOf(i)}; {@code onFrame} gets
     * (agent index, frame text) for every frame. Returns once every connection is ready (said {@code connected},
     * or answered the Socket.IO CONNECT).
     */
    static Agents connect(Protocol protocol, String gateway, PrivateKey key, int count, IntFunction<String> companyOf,
            BiConsumer<Integer, String> onFrame) throws Exception {
        Agents agents = new Agents();
        for (int i = 0; i < 4; i++) {
            agents.clients.add(HttpClient.newHttpClient());
        }
        CountDownLatch connected = new CountDownLatch(count);
        Semaphore handshakes = new Semaphore(64);
        for (int i = 0; i < count; i++) {
            int agent = i;
            String company = companyOf.apply(i);
            String token = JwtSigner.sign(new JwtSigner.Claims("https://handover.dev", "bench-agent-" + i, company,
                    "Bench Agent " + i, "bench" + i + "@example.com", List.of("agent")), Duration.ofHours(2), key);
            WebSocket.Builder builder = agents.clients.get(i % 4).newWebSocketBuilder();
            URI uri = switch (protocol) {
                case JSON -> {
                    builder.header("Authorization", "Bearer " + token);
                    yield URI.create(gateway + "/api/dashboard/ws");
                }
                case SOCKET_IO -> URI.create(gateway + "/socket.io/?EIO=4&transport=websocket");
                case RAW -> URI.create(gateway + "/ws?company=" + company);
            };
            handshakes.acquire();
            builder.buildAsync(uri, new WebSocket.Listener() {
                private final StringBuilder partial = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                        String frame = partial.toString();
                        partial.setLength(0);
                        frame(socket, frame);
                    }
                    socket.request(1);
                    return CompletableFuture.completedFuture(null);
                }

                private void frame(WebSocket socket, String frame) {
                    if (protocol != Protocol.SOCKET_IO) {
                        if (frame.startsWith("{\"type\":\"connected\"")) {
                            connected.countDown();
                        } else {
                            onFrame.accept(agent, frame);
                        }
                    } else if (frame.startsWith("0{")) {
                        socket.sendText("40{\"token\":\"" + token + "\"}", true);
                    } else if (frame.startsWith("40")) {
                        connected.countDown();
                    } else if (frame.equals("2")) {
                        socket.sendText("3", true);
                    } else if (frame.startsWith("42")) {
                        onFrame.accept(agent, frame);
                    }
                }
            }).whenComplete((socket, failure) -> {
                handshakes.release();
                if (socket != null) {
                    agents.sockets.add(socket);
                } else {
                    System.err.println("connection " + agent + " failed: " + failure);
                }
            });
        }
        if (!connected.await(300, TimeUnit.SECONDS)) {
            throw new IllegalStateException(connected.getCount() + " connections never became ready");
        }
        return agents;
    }

    static PrivateKey key(String path) throws Exception {
        return JwtSigner.privateKey(Files.readString(Path.of(path)));
    }

    static String token(PrivateKey key, String agent, String company, List<String> groups) {
        return JwtSigner.sign(new JwtSigner.Claims("https://handover.dev", agent, company, agent, agent + "@example.com",
                groups), Duration.ofHours(2), key);
    }

    @Override
    public void close() {
        synchronized (sockets) {
            sockets.forEach(WebSocket::abort);
        }
    }
}
