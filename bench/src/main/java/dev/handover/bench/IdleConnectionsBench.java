package dev.handover.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.handover.infra.JwtSigner;

/**
 * Gateway heap per idle authenticated connection: live heap of the gateway JVM (a full GC through
 * {@code jcmd GC.class_histogram}) before and after opening N agent connections that each got their
 * {@code connected} frame.
 *
 * <pre>
 * IdleConnectionsBench --pid GATEWAY_PID --private-key KEY.pem [--url ws://127.0.0.1:8080] [--connections 5000]
 *                      [--companies 50] [--issuer https://handover.dev]
 * </pre>
 */
public final class IdleConnectionsBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args);
        long pid = Long.parseLong(opts.get("pid"));
        PrivateKey key = JwtSigner.privateKey(Files.readString(Path.of(opts.get("private-key")), StandardCharsets.US_ASCII));
        String url = opts.getOrDefault("url", "ws://127.0.0.1:8080");
        int connections = Integer.parseInt(opts.getOrDefault("connections", "5000"));
        int companies = Integer.parseInt(opts.getOrDefault("companies", "50"));
        String issuer = opts.getOrDefault("issuer", "https://handover.dev");

        Options.printMachine("gateway heap per idle connection");
        System.out.printf("settings: url=%s connections=%d companies=%d gateway pid=%d%n", url, connections, companies, pid);

        int top = Integer.parseInt(opts.getOrDefault("top", "12"));
        Map<String, Long> beforeByClass = histogram(pid);
        long before = beforeByClass.get(TOTAL);
        HttpClient http = HttpClient.newHttpClient();
        CountDownLatch connected = new CountDownLatch(connections);
        List<WebSocket> sockets = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < connections; i++) {
            String token = JwtSigner.sign(new JwtSigner.Claims(issuer, "agent-" + i, "company-" + (i % companies),
                    "Agent " + i, "agent" + i + "@example.com", List.of("agent")), Duration.ofHours(2), key);
            sockets.add(http.newWebSocketBuilder().header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create(url + "/api/dashboard/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            if (data.toString().contains("\"connected\"")) {
                                connected.countDown();
                            }
                            socket.request(1);
                            return CompletableFuture.completedFuture(null);
                        }
                    }).get(30, TimeUnit.SECONDS));
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(connected.getCount() + " connections never said connected");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Map<String, Long> afterByClass = histogram(pid);
        long after = afterByClass.get(TOTAL);
        System.out.printf("connected %d in %.1f s (%.0f/s)%n", connections, seconds, connections / seconds);
        System.out.printf("gateway live heap: before %.1f MiB, with connections %.1f MiB%n", before / 1048576.0,
                after / 1048576.0);
        System.out.printf("heap per idle connection: %.1f KiB%n", (after - before) / 1024.0 / connections);
        System.out.println("where it goes (bytes per connection, by class):");
        afterByClass.entrySet().stream().filter(e -> !e.getKey().equals(TOTAL))
                .map(e -> Map.entry(e.getKey(), e.getValue() - beforeByClass.getOrDefault(e.getKey(), 0L)))
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf("  %8.0f  %s%n", e.getValue() / (double) connections, e.getKey()));
        for (WebSocket socket : sockets) {
            socket.abort();
        }
    }

    private static final String TOTAL = "<total>";

    /** Live bytes by class after a full collection, and their total under {@link #TOTAL}. */
    static Map<String, Long> histogram(long pid) throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.class_histogram").redirectErrorStream(true).start();
        String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        Map<String, Long> bytes = new java.util.HashMap<>();
        for (String line : output.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 3 && parts[0].equals("Total")) {
                bytes.put(TOTAL, Long.parseLong(parts[2]));
            } else if (parts.length >= 4 && parts[0].endsWith(":")) {
                bytes.put(parts[3], Long.parseLong(parts[2]));
            }
        }
        if (!bytes.containsKey(TOTAL)) {
            throw new IllegalStateException("no histogram total from jcmd: " + output);
        }
        return bytes;
    }
}
