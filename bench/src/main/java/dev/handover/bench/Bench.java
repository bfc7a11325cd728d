package dev.handover.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
 * Bench fanout|e2e|race|intake|heap|growth|store|all [--option value ...]
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
            case "heap" -> new IdleConnectionsBench(bench, bench.opts).run();
            case "growth" -> new GrowthBench(bench, bench.opts).run();
            case "store" -> new StoreWriteBench(bench.opts).run();
            case "all" -> {
                bench.fanout();
                bench.endToEnd();
                bench.race();
                WebhookIntakeBench.main(new String[] { "--seconds", "20", "--warmup", "5", "--page", bench.page() });
                if (bench.opts.containsKey("pid")) {
                    new IdleConnectionsBench(bench, bench.opts).run();
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

    /**
     * 1. Fan-out: events injected into Kafka at a set rate, delivered to N agents in M companies, through
     * Handover's JSON WebSocket, through its Socket.IO endpoint, and through the raw Vert.x broadcaster (its own
     * JVM, the same number of connections and frames), in turn, {@code --reps} times; the ratio to the raw
     * broadcaster is taken within each repetition.
     */
    void fanout() throws Exception {
        int connections = num("connections", 10_000);
        int companies = num("companies", 100);
        int rate = num("rate", 200);
        int reps = num("reps", 3);
        List<String> paths = List.of(opt("paths", "json,socketio,raw").split(","));
        Options.printMachine("fan-out");
        System.out.printf("settings: connections=%d per path, companies=%d (%d agents each), events/s=%d, warmup=%ds, "
                + "measure=%ds, repetitions=%d, paths=%s%n", connections, companies, connections / companies, rate,
                num("warmup", 5), num("seconds", 20), reps, paths);
        AtomicReference<Recorder> latency = new AtomicReference<>(new Recorder(3));
        AtomicLong frames = new AtomicLong();
        AtomicLong anyFrames = new AtomicLong();
        BiConsumer<Integer, String> onFrame = (agent, frame) -> {
            anyFrames.incrementAndGet();
            int at = frame.indexOf(MARK);
            if (at >= 0) {
                long sent = parseLong(frame, at + MARK.length());
                latency.get().recordValue(Math.max(0, nowMicros() - sent) * 1000);
                frames.incrementAndGet();
            }
        };
        Process raw = paths.contains("raw") ? startRawBroadcaster() : null;
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            Map<String, String> companyPrefix = Map.of("json", "fanout-co-", "socketio", "fanout-sio-", "raw", "fanout-raw-");
            // one path's agents at a time: a process gets at most 20,000 descriptors on this machine
            for (String path : paths) {
                long started = System.nanoTime();
                Agents.Protocol protocol = switch (path) {
                    case "json" -> Agents.Protocol.JSON;
                    case "socketio" -> Agents.Protocol.SOCKET_IO;
                    case "raw" -> Agents.Protocol.RAW;
                    default -> throw new IllegalArgumentException("unknown path " + path);
                };
                String url = path.equals("raw") ? "ws://127.0.0.1:" + num("raw-port", 8095) : opt("gateway", "ws://127.0.0.1:8080");
                String prefix = companyPrefix.get(path);
                try (Agents agents = Agents.connect(protocol, url, key(), connections, i -> prefix + (i % companies), onFrame)) {
                    System.out.printf("%s: connected %d agents in %.1f s", path, connections, (System.nanoTime() - started) / 1e9);
                    // each agent's arrival is broadcast to its company (agent_status_changed): measure once that settled
                    long settled = System.nanoTime();
                    long seen = -1;
                    while (anyFrames.get() != seen && System.nanoTime() - settled < Duration.ofSeconds(180).toNanos()) {
                        seen = anyFrames.get();
                        Thread.sleep(3000);
                    }
                    System.out.printf(", arrivals broadcast and settled %.1f s later%n", (System.nanoTime() - settled) / 1e9);
                    for (int rep = 1; rep <= reps; rep++) {
                        long server = path.equals("raw") ? raw.pid() : Long.parseLong(opt("pid", "0"));
                        double[] figures = fanoutRun(producer, path.equals("raw") ? RAW_TOPIC : Topics.CUSTOMER_EVENTS, prefix,
                                companies, rate, latency, frames, anyFrames, server);
                        results.computeIfAbsent(path, p -> new ArrayList<>()).add(figures);
                        System.out.printf("run %d %-8s delivered frames/s %8.0f of %d; record to frame ms p50 %.1f p99 %.1f max %.1f;"
                                + " server CPU %.0f%% of a core, %.1f us per frame%n", rep, path, figures[0],
                                (long) rate * (connections / companies), figures[1], figures[2], figures[3], figures[4],
                                figures[5]);
                    }
                }
            }
        } finally {
            if (raw != null) {
                raw.destroyForcibly();
            }
        }
        System.out.println("summary (min / median / max over the runs):");
        results.forEach((path, runs) -> System.out.printf("  %-8s frames/s %s; p99 ms %s; p50 ms %s%n", path,
                Options.spread(runs.stream().map(r -> r[0]).toList(), "%.0f"),
                Options.spread(runs.stream().map(r -> r[2]).toList(), "%.1f"),
                Options.spread(runs.stream().map(r -> r[1]).toList(), "%.1f")));
        for (String path : List.of("json", "socketio")) {
            if (results.containsKey(path) && results.containsKey("raw")) {
                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < reps; i++) {
                    ratios.add(results.get(path).get(i)[0] / results.get("raw").get(i)[0]);
                }
                System.out.printf("  %s throughput / raw Vert.x broadcaster, same run: %s (goal >= 0.80)%n", path,
                        Options.spread(ratios, "%.2f"));
            }
        }
        if (results.containsKey("json") && results.containsKey("socketio")) {
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < reps; i++) {
                ratios.add(results.get("socketio").get(i)[0] / results.get("json").get(i)[0]);
            }
            System.out.printf("  socketio throughput / json, same run: %s (goal >= 0.70)%n", Options.spread(ratios, "%.2f"));
        }
    }

    private static final String RAW_TOPIC = "bench.raw";

    /**
     * One measured fan-out run: frames/s delivered; p50, p99 and max record-to-frame latency in ms; the serving
     * process's CPU (% of a core) and its CPU microseconds per delivered frame, the figure that least depends on
     * what else the shared machine does.
     */
    private double[] fanoutRun(KafkaProducer<String, byte[]> producer, String topic, String prefix, int companies, int rate,
            AtomicReference<Recorder> latency, AtomicLong frames, AtomicLong anyFrames, long serverPid) throws Exception {
        int warmup = num("warmup", 5);
        int seconds = num("seconds", 20);
        long period = 1_000_000_000L / rate;
        long next = System.nanoTime();
        long measureFrom = next + Duration.ofSeconds(warmup).toNanos();
        long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
        boolean measuring = false;
        long n = 0;
        long cpuFrom = 0;
        while (System.nanoTime() < end) {
            if (!measuring && System.nanoTime() >= measureFrom) {
                latency.set(new Recorder(3));
                frames.set(0);
                cpuFrom = Options.cpuTicks(serverPid);
                measuring = true;
            }
            String company = prefix + (n++ % companies);
            producer.send(new ProducerRecord<>(topic, company, EventJson.write(event(company))));
            next += period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        // frames still on their way count if they arrive within a second; later ones belong to a backlog
        Thread.sleep(1000);
        Histogram histogram = latency.get().getIntervalHistogram();
        long counted = frames.get();
        double delivered = counted / (double) seconds;
        double cpuSeconds = (Options.cpuTicks(serverPid) - cpuFrom) / 100.0;
        latency.set(new Recorder(3));
        // let a backlog drain before the next path is measured
        long quiet = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        long last = -1;
        while (System.nanoTime() < quiet && anyFrames.get() != last) {
            last = anyFrames.get();
            Thread.sleep(500);
        }
        return new double[] { delivered, histogram.getValueAtPercentile(50) / 1e6, histogram.getValueAtPercentile(99) / 1e6,
                histogram.getMaxValue() / 1e6, 100 * cpuSeconds / (seconds + 1), cpuSeconds * 1e6 / Math.max(1, counted) };
    }

    /** Starts {@link RawBroadcaster} in its own JVM, sized like a service, on a topic shaped like customer.events. */
    Process startRawBroadcaster() throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", opt("kafka", "127.0.0.1:9092"));
        try (Admin admin = Admin.create(props)) {
            int partitions = admin.describeTopics(List.of(Topics.CUSTOMER_EVENTS)).allTopicNames().get()
                    .get(Topics.CUSTOMER_EVENTS).partitions().size();
            if (!admin.listTopics().names().get().contains(RAW_TOPIC)) {
                admin.createTopics(List.of(new NewTopic(RAW_TOPIC, partitions, (short) 1))).all().get();
            }
        }
        Process raw = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx384m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), RawBroadcaster.class.getName(), "--port",
                Integer.toString(num("raw-port", 8095)), "--kafka", opt("kafka", "127.0.0.1:9092"), "--topic", RAW_TOPIC)
                .redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(raw.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("ready")) {
            System.out.println("raw broadcaster: " + line);
        }
        if (line == null) {
            throw new IllegalStateException("the raw broadcaster did not start");
        }
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // its log is not part of the figures
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return raw;
    }

    private static CustomerEvent event(String company) {
        Instant now = Instant.now();
        String customer = "c-" + UUID.randomUUID().toString().substring(0, 8);
        var snapshot = new CustomerSnapshot(customer, "Bench Customer", "Bench", "Customer", "bench-page", "Bench Page",
                company, 1, MARK + nowMicros(), now, now, true, now, null, null, null, null, now, now);
        return new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_REQUESTED, company, now, snapshot,
                true, null, null, null, null, null, null);
    }

    /**
     * 2. End to end: a signed webhook asking for a human, to the agent_requested frame at an agent, {@code --reps}
     * times; then an agent message to each of {@code --messages} of those customers. Each phase also reports the
     * database commands customer-service sent per customer and per message (its {@code handover_mongodb_commands_total},
     * less what it sends when idle, measured just before).
     */
    void endToEnd() throws Exception {
        int rate = num("e2e-rate", 50);
        int reps = num("reps", 3);
        Options.printMachine("end to end (webhook to agent_requested)");
        System.out.printf("settings: bridge=%s page=%s company=%s webhooks/s=%d warmup=%ds measure=%ds repetitions=%d%n",
                opt("bridge", "http://127.0.0.1:8082"), page(), opt("company", "demo-company"), rate, num("warmup", 5),
                num("seconds", 20), reps);
        List<Double> p50 = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        List<Double> max = new ArrayList<>();
        List<Double> perCustomer = new ArrayList<>();
        List<Double> perMessage = new ArrayList<>();
        HttpClient http = HttpClient.newHttpClient();
        for (int rep = 1; rep <= reps; rep++) {
            List<String> customers = new ArrayList<>();
            int number = rep;
            Commands intake = Commands.during(this, http, () -> {
                Histogram run;
                try (Stages stages = Stages.watch(opt("kafka", "127.0.0.1:9092"), stackPids())) {
                    run = webhookToAgentRequested(rate, num("warmup", 5), num("seconds", 20), customers, stages);
                    Options.printLatencies("run " + number + " webhook to agent_requested", run);
                    stages.print();
                }
                p50.add(run.getValueAtPercentile(50) / 1e6);
                p99.add(run.getValueAtPercentile(99) / 1e6);
                max.add(run.getMaxValue() / 1e6);
            });
            perCustomer.add(intake.print("database commands per new customer asking for a human", customers.size()));
            List<String> messaged = customers.subList(0, Math.min(customers.size(), num("messages", 200)));
            Commands sends = Commands.during(this, http, () -> agentMessages(http, messaged, rate));
            perMessage.add(sends.print("database commands per agent message (with what follows it: the send's outcome,"
                    + " the page's echo, receipts)", messaged.size()));
        }
        System.out.printf("summary (min / median / max over the runs), ms: p50 %s; p99 %s; max %s%n",
                Options.spread(p50, "%.1f"), Options.spread(p99, "%.1f"), Options.spread(max, "%.1f"));
        System.out.printf("database commands (min / median / max over the runs): per new customer asking for a human %s;"
                + " per agent message %s%n", Options.spread(perCustomer, "%.2f"), Options.spread(perMessage, "%.2f"));
    }

    /** The processes of the local stack ({@code --pids}, as {@code ./handover up} wrote them) and the bench's own. */
    private Map<String, Long> stackPids() throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        for (String name : List.of("messenger-bridge", "customer-service", "realtime-gateway", "infra")) {
            Path file = Path.of(opt("pids", ".local/pids"), name + ".pid");
            if (Files.exists(file)) {
                pids.put(name, Long.parseLong(Files.readString(file).trim()));
            }
        }
        pids.put("bench", ProcessHandle.current().pid());
        return pids;
    }

    /** An agent's message to each of {@code customers} through the REST API, {@code rate} a second. */
    private void agentMessages(HttpClient http, List<String> customers, int rate) throws Exception {
        String token = Agents.token(key(), "bench-sender", opt("company", "demo-company"), List.of("agent"));
        Recorder latency = new Recorder(3);
        List<java.util.concurrent.CompletableFuture<?>> calls = new ArrayList<>();
        long period = 1_000_000_000L / rate;
        long next = System.nanoTime();
        long refused = 0;
        for (String customer : customers) {
            long sent = System.nanoTime();
            calls.add(http.sendAsync(HttpRequest.newBuilder(URI.create(customerService() + "/api/dashboard/customers/"
                    + customer + "/messages")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"page_id\":\"" + page() + "\",\"message\":\"Hello\"}"))
                    .build(), HttpResponse.BodyHandlers.discarding()).thenApply(answer -> {
                        latency.recordValue(System.nanoTime() - sent);
                        return answer.statusCode();
                    }));
            next += period;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
        }
        for (var call : calls) {
            refused += (Integer) call.get() == 200 ? 0 : 1;
        }
        Options.printLatencies("agent message (POST .../messages)", latency.getIntervalHistogram());
        if (refused > 0) {
            System.out.printf("agent messages refused: %d of %d%n", refused, customers.size());
        }
    }

    String customerService() {
        return opt("customer-service", "http://127.0.0.1:8081");
    }

    Histogram webhookToAgentRequested(int rate, int warmup, int seconds) throws Exception {
        return webhookToAgentRequested(rate, warmup, seconds, new ArrayList<>(), null);
    }

    /**
     * New customers asking for a human through signed webhooks at {@code rate} per second; the time from each
     * webhook to the {@code agent_requested} frame at an agent of the company, after {@code warmup} seconds; each
     * measured trip's stages too when {@code stages} is given.
     */
    Histogram webhookToAgentRequested(int rate, int warmup, int seconds, List<String> customers, Stages stages)
            throws Exception {
        String company = opt("company", "demo-company");
        Map<String, Long> sentAt = new ConcurrentHashMap<>();
        Recorder latency = new Recorder(3);
        String run = Long.toString(System.currentTimeMillis(), 36);
        try (Agents agent = Agents.connect(opt("gateway", "ws://127.0.0.1:8080"), key(), 1, i -> company, (a, frame) -> {
            if (frame.startsWith("{\"type\":\"agent_requested\"")) {
                int at = frame.indexOf("\"chat_id\":\"") + 11;
                String customer = frame.substring(at, frame.indexOf('"', at));
                Long sent = sentAt.remove(customer);
                if (sent != null) {
                    latency.recordValue(System.nanoTime() - sent);
                    if (stages != null) {
                        stages.framed(customer);
                    }
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
                    if (stages != null) {
                        stages.reset();
                    }
                }
                String customer = "e2e-" + run + "-" + n;
                customers.add(customer);
                byte[] body = webhook(customer, "I want to talk to a human");
                sentAt.put(customer, System.nanoTime());
                if (stages != null) {
                    stages.sent(customer);
                }
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
        String rest = customerService();
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
