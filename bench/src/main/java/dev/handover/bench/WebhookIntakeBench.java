package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Webhook intake: concurrent clients POST signed Messenger webhooks (one new message each, over a fixed,
 * seeded set of customers) to messenger-bridge for a fixed time after a warm-up, and the accepted events per
 * second and the response-time distribution are printed.
 *
 * <pre>
 * WebhookIntakeBench [--url http://127.0.0.1:8082/webhook] [--secret S] [--page ID] [--customers 200]
 *                    [--concurrency 16] [--warmup 10] [--seconds 30] [--seed 42]
 * </pre>
 */
public final class WebhookIntakeBench {

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args);
        URI url = URI.create(opts.getOrDefault("url", "http://127.0.0.1:8082/webhook"));
        String secret = opts.getOrDefault("secret", "handover-local-app-secret");
        String page = opts.getOrDefault("page", "bench-page");
        int customers = Integer.parseInt(opts.getOrDefault("customers", "200"));
        int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "10"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "30"));
        long seed = Long.parseLong(opts.getOrDefault("seed", "42"));

        Options.printMachine("webhook intake");
        System.out.printf("settings: url=%s page=%s customers=%d concurrency=%d warmup=%ds measure=%ds seed=%d%n",
                url, page, customers, concurrency, warmup, seconds, seed);

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Recorder recorder = new Recorder(3);
        AtomicLong sequence = new AtomicLong();
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
                                + start + "-" + n + "\",\"text\":\"load message " + n + "\"}}]}]}").getBytes(StandardCharsets.UTF_8);
                        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
                        HttpRequest request = HttpRequest.newBuilder(url).header("Content-Type", "application/json")
                                .header("X-Hub-Signature-256", signature)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
                        long sent = System.nanoTime();
                        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                        long took = System.nanoTime() - sent;
                        if (sent >= measureFrom) {
                            recorder.recordValue(took);
                            if (response.statusCode() == 200) {
                                accepted.incrementAndGet();
                            } else {
                                refused.incrementAndGet();
                            }
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
        Histogram latencies = recorder.getIntervalHistogram();
        double elapsed = (Math.min(System.nanoTime(), end) - measureFrom) / 1e9;
        System.out.printf("accepted events/s: %.0f (accepted %d, refused %d in %.1f s)%n", accepted.get() / elapsed,
                accepted.get(), refused.get(), elapsed);
        Options.printLatencies("response time", latencies);
    }
}
