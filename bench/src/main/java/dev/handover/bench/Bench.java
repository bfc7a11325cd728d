package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.CustomerSnapshot;
import dev.handover.events.EventJson;
import dev.handover.events.Topics;

/**
 * The benchmarks, against a running local stack ({@code ./handover up}); each prints the machine, its settings
 * and its figures. {@code Bench all} runs the default profile (under 5 minutes on 2 cores).
 *
 * <pre>
 * Bench fanout|e2e|race|intake|heap|growth|all [--option value ...]
 * </pre>
 */
public final class Bench {

    private static final String MARK = "bench-t=";

    private final Map<String, String> opts;
    private final ThreadLocal<Mac> webhookMac = ThreadLocal.withInitial(() -> {
        try {
            return mac();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    private Bench(Map<String, String> opts) {
        this.opts = opts;
    }

    public static void main(String[] args) throws Exception {
        String which = args.length == 0 ? "all" : args[0];
        String[] rest = args.length == 0 ? args : java.util.Arrays.copyOfRange(args, 1, args.length);
        Bench bench = new Bench(Options.parse(rest));
        switch (which) {
            case "fanout" -> bench.fanout();
            case "e2e" -> bench.endToEnd();
            case "race" -> bench.race();
            case "intake" -> WebhookIntakeBench.main(rest);
            case "heap" -> IdleConnectionsBench.main(rest);
            case "growth" -> new GrowthBench(bench, bench.opts).run();
            case "all" -> {
                bench.fanout();
                bench.endToEnd();
                bench.race();
                WebhookIntakeBench.main(new String[] { "--seconds", "20", "--warmup", "5", "--page", bench.page() });
                if (bench.opts.containsKey("pid")) {
                    IdleConnectionsBench.main(new String[] { "--pid", bench.opts.get("pid"), "--private-key",
                            bench.opts.getOrDefault("private-key", ".local/jwt/private.pem") });
                }
            }
            default -> throw new IllegalArgumentException("unknown benchmark " + which);
        }
    }

    private String opt(String name, String fallback) {
        return opts.getOrDefault(name, fallback);
    }

    private int num(String name, int fallback) {
        return Integer.parseInt(opt(name, Integer.toString(fallback)));
    }

    String page() {
        return opt("page", "100000000000001");
    }

    PrivateKey key() throws Exception {
        return Agents.key(opt("private-key", ".local/jwt/private.pem"));
    }

    /** 1. Fan-out: events injected into customer.events at a set rate, delivered to N agents in M companies. */
    void fanout() throws Exception {
        int connections = num("connections", 10_000);
        int companies = num("companies", 100);
        int rate = num("rate", 200);
        int warmup = num("warmup", 5);
        int seconds = num("seconds", 20);
        Options.printMachine("fan-out");
        System.out.printf("settings: connections=%d companies=%d (%d agents each) events/s=%d warmup=%ds measure=%ds%n",
                connections, companies, connections / companies, rate, warmup, seconds);
        Recorder latency = new Recorder(3);
        AtomicLong frames = new AtomicLong();
        long started = System.nanoTime();
        try (Agents agents = Agents.connect(opt("gateway", "ws://127.0.0.1:8080"), key(), connections,
                i -> "fanout-co-" + (i % companies), (agent, frame) -> {
                    int at = frame.indexOf(MARK);
                    if (at >= 0) {
                        long sent = parseLong(frame, at + MARK.length());
                        latency.recordValue(Math.max(0, nowMicros() - sent) * 1000);
                        frames.incrementAndGet();
                    }
                })) {
            System.out.printf("connected %d agents in %.1f s%n", connections, (System.nanoTime() - started) / 1e9);
            try (KafkaProducer<String, byte[]> producer = producer()) {
                long period = 1_000_000_000L / rate;
                long next = System.nanoTime();
                long measureFrom = next + Duration.ofSeconds(warmup).toNanos();
                long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
                boolean measuring = false;
                long n = 0;
                while (System.nanoTime() < end) {
                    if (!measuring && System.nanoTime() >= measureFrom) {
                        latency.reset();
                        frames.set(0);
                        measuring = true;
                    }
                    String company = "fanout-co-" + (n++ % companies);
                    producer.send(new ProducerRecord<>(Topics.CUSTOMER_EVENTS, company, EventJson.write(event(company))));
                    next += period;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
            Thread.sleep(1000);
            var histogram = latency.getIntervalHistogram();
            System.out.printf("delivered frames/s: %.0f (%d frames in %d s, expected %d)%n", frames.get() / (double) seconds,
                    frames.get(), seconds, (long) rate * seconds * (connections / companies));
            Options.printLatencies("record to frame latency", histogram);
        }
    }

    private static CustomerEvent event(String company) {
        Instant now = Instant.now();
        String customer = "c-" + UUID.randomUUID().toString().substring(0, 8);
        var snapshot = new CustomerSnapshot(customer, "Bench Customer", "Bench", "Customer", "bench-page", "Bench Page",
                company, 1, MARK + nowMicros(), now, now, true, now, null, null, null, null, now, now);
        return new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_REQUESTED, company, now, snapshot,
                true, null, null, null, null, null, null);
    }

    /** 2. End to end: a signed webhook asking for a human, to the agent_requested frame at an agent. */
    void endToEnd() throws Exception {
        int rate = num("e2e-rate", 50);
        Options.printMachine("end to end (webhook to agent_requested)");
        System.out.printf("settings: bridge=%s page=%s company=%s webhooks/s=%d warmup=%ds measure=%ds%n",
                opt("bridge", "http://127.0.0.1:8082"), page(), opt("company", "demo-company"), rate, num("warmup", 5),
                num("seconds", 20));
        Options.printLatencies("webhook to agent_requested", webhookToAgentRequested(rate, num("warmup", 5),
                num("seconds", 20)));
    }

    /**
     * New customers asking for a human through signed webhooks at {@code rate} per second; the time from each
     * webhook to the {@code agent_requested} frame at an agent of the company, after {@code warmup} seconds.
     */
    Histogram webhookToAgentRequested(int rate, int warmup, int seconds) throws Exception {
        String company = opt("company", "demo-company");
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Recorder latency = new Recorder(3);
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (Agents agent = Agents.connect(opt("gateway", "ws://127.0.0.1:8080"), key(), 1, i -> company, (a, frame) -> {
            if (frame.startsWith("{\"type\":\"agent_requested\"")) {
                int at = frame.indexOf("\"chat_id\":\"") + 11;
                Long sent = sentAt.remove(frame.substring(at, frame.indexOf('"', at)));
                if (sent != null) {
                    latency.recordValue(System.nanoTime() - sent);
                }
            }
        })) {
            HttpClient http = HttpClient.newHttpClient();
            Mac mac = mac();
            long period = 1_000_000_000L / rate;
            long next = System.nanoTime();
            long measureFrom = next + Duration.ofSeconds(warmup).toNanos();
            long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
            boolean measuring = false;
            for (long n = 0; System.nanoTime() < end; n++) {
                if (!measuring && System.nanoTime() >= measureFrom) {
                    latency.reset();
                    measuring = true;
                }
                String customer = "e2e-" + run + "-" + n;
                byte[] body = webhook(customer, "I want to talk to a human");
                sentAt.put(customer, System.nanoTime());
                http.sendAsync(signed(body, mac), HttpResponse.BodyHandlers.discarding());
                next += period;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            long drained = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (!sentAt.isEmpty() && System.nanoTime() < drained) {
                Thread.sleep(20);
            }
            if (!sentAt.isEmpty()) {
                System.out.printf("not delivered within 2 s of the end: %d%n", sentAt.size());
            }
            return latency.getIntervalHistogram();
        }
    }

    /** One signed webhook of {@code customer} writing {@code text}, answered before it returns. */
    void sendWebhook(HttpClient http, String customer, String text) throws Exception {
        HttpResponse<Void> answer = http.send(signed(webhook(customer, text), webhookMac.get()),
                HttpResponse.BodyHandlers.discarding());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException("webhook answered " + answer.statusCode());
        }
    }

    /** 3. Assignment race: K agents take each of T waiting customers at the same moment. */
    void race() throws Exception {
        int agents = num("agents", 50);
        int customers = num("customers", 100);
        String company = opt("company", "demo-company");
        String rest = opt("customer-service", "http://127.0.0.1:8081");
        Options.printMachine("assignment race");
        System.out.printf("settings: agents=%d customers=%d company=%s%n", agents, customers, company);
        PrivateKey key = key();
        HttpClient http = HttpClient.newHttpClient();
        Mac mac = mac();
        String run = Long.toString(System.currentTimeMillis(), 36);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < customers; i++) {
            String customer = "race-" + run + "-" + i;
            ids.add(customer);
            http.send(signed(webhook(customer, "I need a human"), mac), HttpResponse.BodyHandlers.discarding());
        }
        String admin = Agents.token(key, "bench-admin", company, List.of("agent", "admin"));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            String list = http.send(HttpRequest.newBuilder(URI.create(rest + "/api/dashboard/customers/stopped?limit=200&page_id="
                    + page())).header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString()).body();
            if (ids.stream().allMatch(list::contains) || System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        List<String> tokens = new ArrayList<>();
        for (int a = 0; a < agents; a++) {
            tokens.add(Agents.token(key, "racer-" + a, company, List.of("agent")));
        }
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        Recorder latency = new Recorder(3);
        long doubles = 0;
        long unassigned = 0;
        for (String customer : ids) {
            CyclicBarrier start = new CyclicBarrier(agents);
            List<Future<Integer>> calls = new ArrayList<>();
            for (String token : tokens) {
                calls.add(pool.submit(() -> {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(rest + "/api/dashboard/customers/" + customer + "/assign"))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"page_id\":\"" + page() + "\"}")).build();
                    start.await();
                    long sent = System.nanoTime();
                    int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                    latency.recordValue(System.nanoTime() - sent);
                    return status;
                }));
            }
            int wins = 0;
            for (Future<Integer> call : calls) {
                wins += call.get() == 200 ? 1 : 0;
            }
            doubles += Math.max(0, wins - 1);
            unassigned += wins == 0 ? 1 : 0;
        }
        pool.shutdown();
        System.out.printf("double assignments: %d; customers nobody got: %d (of %d, %d claims each)%n", doubles, unassigned,
                customers, agents);
        Options.printLatencies("claim latency", latency.getIntervalHistogram());
    }

    private Mac mac() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(opt("secret", "handover-local-app-secret").getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return mac;
    }

    private byte[] webhook(String customer, String text) {
        long now = System.currentTimeMillis();
        return ("{\"object\":\"page\",\"entry\":[{\"id\":\"" + page() + "\",\"time\":" + now + ",\"messaging\":[{\"sender\":{\"id\":\""
                + customer + "\"},\"recipient\":{\"id\":\"" + page() + "\"},\"timestamp\":" + now + ",\"message\":{\"mid\":\"m-"
                + UUID.randomUUID() + "\",\"text\":\"" + text + "\"}}]}]}").getBytes(StandardCharsets.UTF_8);
    }

    private HttpRequest signed(byte[] body, Mac mac) {
        String signature;
        synchronized (mac) {
            signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        }
        return HttpRequest.newBuilder(URI.create(opt("bridge", "http://127.0.0.1:8082") + "/webhook"))
                .header("Content-Type", "application/json").header("X-Hub-Signature-256", signature)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", opt("kafka", "127.0.0.1:9092"));
        props.put("linger.ms", "2");
        props.put("acks", "1");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    private static long nowMicros() {
        Instant now = Instant.now();
        return ChronoUnit.MICROS.between(Instant.EPOCH, now);
    }

    private static long parseLong(String text, int from) {
        long value = 0;
        for (int i = from; i < text.length() && Character.isDigit(text.charAt(i)); i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }
}
