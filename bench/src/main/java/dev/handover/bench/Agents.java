package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import dev.handover.infra.JwtSigner;

/** Many agents' WebSocket connections for load: tokens, connecting in bulk, and a frame callback. */
final class Agents implements AutoCloseable {

    private final List<WebSocket> sockets = new ArrayList<>();
    private final List<HttpClient> clients = new ArrayList<>();

    /**
     * Opens {@code count} connections, agent {@code i} in company {@code companyOf(i)}; {@code onFrame} gets
     * (agent index, frame text) for every frame. Returns once every connection said {@code connected}.
     */
    static Agents connect(String gateway, PrivateKey key, int count, java.util.function.IntFunction<String> companyOf,
            BiConsumer<Integer, String> onFrame) throws Exception {
        Agents agents = new Agents();
        for (int i = 0; i < 4; i++) {
            agents.clients.add(HttpClient.newHttpClient());
        }
        CountDownLatch connected = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            int agent = i;
            String token = JwtSigner.sign(new JwtSigner.Claims("https://handover.dev", "bench-agent-" + i, companyOf.apply(i),
                    "Bench Agent " + i, "bench" + i + "@example.com", List.of("agent")), Duration.ofHours(2), key);
            agents.sockets.add(agents.clients.get(i % 4).newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(gateway + "/api/dashboard/ws"), new WebSocket.Listener() {
                        private final StringBuilder partial = new StringBuilder();

                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                String frame = partial.toString();
                                partial.setLength(0);
                                if (frame.startsWith("{\"type\":\"connected\"")) {
                                    connected.countDown();
                                } else {
                                    onFrame.accept(agent, frame);
                                }
                            }
                            socket.request(1);
                            return CompletableFuture.completedFuture(null);
                        }
                    }).get(30, TimeUnit.SECONDS));
        }
        if (!connected.await(180, TimeUnit.SECONDS)) {
            throw new IllegalStateException(connected.getCount() + " connections never said connected");
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
        sockets.forEach(WebSocket::abort);
    }
}
