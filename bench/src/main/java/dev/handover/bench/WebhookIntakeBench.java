package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

import dev.handover.events.Topics;

/**
 * Webhook intake: concurrent clients POST signed Messenger webhooks (one new message each, over a fixed,
 * seeded set of customers) to messenger-bridge for a fixed time after a warm-up, and the accepted events per
 * second and the response-time distribution are printed. With {@code --outage S} and {@code --infra-pid}, a
 * second phase runs the same load for S seconds with the infrastructure process (Kafka and the database)
 * frozen (SIGSTOP: every call to it hangs, the worst kind of outage), then resumes it and prints how long the
 * bridge took to put every accepted event into {@code messenger.inbound}.
 *
 * <pre>
 * WebhookIntakeBench [--url http://127.0.0.1:8082/webhook] [--secret S] [--page ID] [--customers 200]
 *                    [--concurrency 16] [--warmup 10] [--seconds 30] [--seed 42]
 *                    [--outage 0 --infra-pid PID --kafka 127.0.0.1:9092]
 * </pre>
 */
public final class WebhookIntakeBench {

    private final URI url;
    private final String secret;
    private final String page;
    private final int customers;
    private final int concurrency;
    private final long seed;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong sequence = new AtomicLong();
    private final long runId = System.nanoTime();

    private WebhookIntakeBench(Map<String, String> opts) {
        url = URI.create(opts.getOrDefault("url", "http://127.0.0.1:8082/webhook"));
        secret = opts.getOrDefault("secret", "handover-local-app-secret");
        page = opts.getOrDefault("page", "bench-page");
        customers = Integer.parseInt(opts.getOrDefault("customers", "200"));
        concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
        seed = Long.parseLong(opts.getOrDefault("seed", "42"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args);
        WebhookIntakeBench bench = new WebhookIntakeBench(opts);
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "10"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "30"));
        int outage = Integer.parseInt(opts.getOrDefault("outage", "0"));

        Options.printMachine("webhook intake");
        System.out.printf("settings: url=%s page=%s customers=%d concurrency=%d warmup=%ds measure=%ds outage=%ds seed=%d%n",
                bench.url, bench.page, bench.customers, bench.concurrency, warmup, seconds, outage, bench.seed);
        Phase up = bench.run(warmup, seconds);
        up.print("infrastructure up");
        if (outage <= 0) {
            return;
        }
        String pid = opts.get("infra-pid");
        if (pid == null) {
            throw new IllegalArgumentException("--outage needs --infra-pid (./handover bench passes it)");
        }
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, opts.getOrDefault("kafka", "127.0.0.1:9092"));
        try (Admin kafka = Admin.create(admin)) {
            long before = awaitSettled(kafka);
            signal("STOP", pid);
            Phase down;
            try {
                down = bench.run(0, outage);
            } finally {
                signal("CONT", pid);
            }
            long resumed = System.nanoTime();
            down.print("infrastructure frozen");
            long target = before + down.accepted;
            long deadline = resumed + TimeUnit.MINUTES.toNanos(5);
            long published = before;
            while (published < target && System.nanoTime() < deadline) {
                Thread.sleep(200);
                published = endOffsets(kafka);
            }
            System.out.printf("after the outage: %d of %d accepted events in %s %.1f s after the infrastructure resumed%n",
                    published - before, down.accepted, Topics.MESSENGER_INBOUND, (System.nanoTime() - resumed) / 1e9);
        }
    }

    /** The load for {@code seconds} after {@code warmup} seconds, measured. */
    private Phase run(int warmup, int seconds) throws InterruptedException {
        Recorder recorder = new Recorder(3);
        AtomicLong accepted = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + Duration.ofSeconds(warmup).toNanos();
        long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int t = 0; t < concurrency; t++) {
            Thread worker = new Thread(() -> {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
                    while (System.nanoTime() < end) {
                        long n = sequence.incrementAndGet();
                        String customer = "bench-psid-" + Math.floorMod(seed * 31 + n * 7919, customers);
                        byte[] body = ("{\"object\":\"page\",\"entry\":[{\"id\":\"" + page + "\",\"time\":" + System.currentTimeMillis()
                                + ",\"messaging\":[{\"sender\":{\"id\":\"" + customer + "\"},\"recipient\":{\"id\":\"" + page
                                + "\"},\"timestamp\":" + System.currentTimeMillis() + ",\"message\":{\"mid\":\"bench-" + seed + "-"
                                + runId + "-" + n + "\",\"text\":\"load message " + n + "\"}}]}]}").getBytes(StandardCharsets.UTF_8);
                        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
                        HttpRequest request = HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                                .header("X-Hub-Signature-256", signature).timeout(Duration.ofSeconds(30))
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        long sent = System.nanoTime();
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        long took = System.nanoTime() - sent;
                        if (sent >= measureFrom) {
                            recorder.recordValue(took);
                            (response.statusCode() == 200 ? accepted : refused).incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    System.err.println("worker stopped: " + e);
                } finally {
                    done.countDown();
                }
            }, "load-" + t);
            worker.start();
        }
        Thread.sleep(Duration.ofSeconds(warmup).toMillis());
        recorder.reset();
        done.await();
        double elapsed = (Math.min(System.nanoTime(), end) - measureFrom) / 1e9;
        return new Phase(accepted.get(), refused.get(), elapsed, recorder.getIntervalHistogram());
    }

    /** The end offsets of the inbound topic once the bridge has published what it had accepted (stable for 2 s). */
    private static long awaitSettled(Admin kafka) throws Exception {
        long last = -1;
        long stableSince = System.nanoTime();
        while (true) {
            long now = endOffsets(kafka);
            if (now != last) {
                last = now;
                stableSince = System.nanoTime();
            } else if (System.nanoTime() - stableSince > TimeUnit.SECONDS.toNanos(2)) {
                return now;
            }
            Thread.sleep(200);
        }
    }

    private static long endOffsets(Admin kafka) throws Exception {
        var partitions = kafka.describeTopics(java.util.List.of(Topics.MESSENGER_INBOUND)).allTopicNames()
                .get(10, TimeUnit.SECONDS).get(Topics.MESSENGER_INBOUND).partitions();
        Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
        partitions.forEach(p -> latest.put(new TopicPartition(Topics.MESSENGER_INBOUND, p.partition()), OffsetSpec.latest()));
        return kafka.listOffsets(latest).all().get(10, TimeUnit.SECONDS).values().stream()
                .mapToLong(info -> info.offset()).sum();
    }

    private static void signal(String signal, String pid) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + pid + " exited " + exit);
        }
    }

    private record Phase(long accepted, long refused, double seconds, Histogram latencies) {
        void print(String name) {
            System.out.printf("%s: accepted events/s %.0f (accepted %d, refused %d in %.1f s)%n", name, accepted / seconds,
                    accepted, refused, seconds);
            Options.printLatencies(name + ", response time", latencies);
        }
    }
}
