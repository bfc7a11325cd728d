package dev.handover.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

/**
 * 6. Growth: the figures of a busy company's year at 1,000, 10,000 and 100,000 customers (ten messages each).
 * The store is filled straight through the database with the documents customer-service writes (same
 * collections, fields and indexes; a webhook per customer would take hours), then measured through the real
 * paths: REST lists (first page, every filter) and their counts, a signed webhook to the agent's
 * {@code agent_requested} frame at a fixed rate, a burst of new customers through signed webhooks until
 * customer-service has stored them, the idle CPU of every process (right after the burst, and once nothing has
 * happened for {@code --quiet-seconds}) and each one's heap after a full GC.
 * Each figure is measured {@code --reps} times and printed as min / median / max.
 */
final class GrowthBench {

    private static final Pattern TOTAL = Pattern.compile("\"total\":(\\d+)");
    private static final Pattern USED = Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K");
    private static final String[] PROCESSES = { "infra", "customer-service", "realtime-gateway", "messenger-bridge" };

    private final Bench bench;
    private final Map<String, String> opts;
    private final HttpClient http = HttpClient.newHttpClient();

    GrowthBench(Bench bench, Map<String, String> opts) {
        this.bench = bench;
        this.opts = opts;
    }

    private int num(String name, int fallback) {
        return Integer.parseInt(opts.getOrDefault(name, Integer.toString(fallback)));
    }

    void run() throws Exception {
        int[] sizes = Arrays.stream(opts.getOrDefault("sizes", "1000,10000,100000").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int perCustomer = num("messages-per-customer", 10);
        int reps = num("reps", 3);
        int rate = num("e2e-rate", 20);
        int burst = num("burst", 1000);
        int warmup = num("warmup-burst", 3000);
        Options.printMachine("growth (the store filled to each size, then every figure " + reps + " times)");
        System.out.printf("settings: sizes=%s messages/customer=%d list requests=%d per filter, e2e %d webhooks/s for"
                + " %d s, burst %d new customers (after a warm-up of %d once), idle %d s after %d s, and after %d s quiet%n",
                Arrays.toString(sizes), perCustomer, num("list-requests", 100), rate, num("e2e-seconds", 10), burst, warmup,
                num("idle-seconds", 30), num("settle-seconds", 15), num("quiet-seconds", 300));
        String company = opts.getOrDefault("company", "demo-company");
        String admin = Agents.token(bench.key(), "bench-admin", company, List.of("agent", "admin"));
        List<String> rows = new ArrayList<>();
        try (MongoClient mongo = MongoClients.create(opts.getOrDefault("mongo", "mongodb://127.0.0.1:27017"))) {
            var db = mongo.getDatabase("handover");
            MongoCollection<Document> customers = db.getCollection("customers");
            MongoCollection<Document> messages = db.getCollection("messages");
            Document page = db.getCollection("pages").find(Filters.eq("_id", bench.page())).first();
            if (page == null || !company.equals(page.getString("company_id"))) {
                throw new IllegalStateException("page " + bench.page() + " of " + company + " is not connected");
            }
            boolean warm = warmup == 0;
            for (int size : sizes) {
                long filled = fill(customers, messages, page, size, perCustomer);
                if (!warm) {
                    // the processes' first minutes are mostly compilation (C2 used more CPU than the work itself):
                    // what a busy company's year is measured on are warm processes
                    System.out.printf("warm-up: %d new customers, %.1f stored/s (not counted)%n", warmup,
                            burst(admin, warmup));
                    warm = true;
                }
                Map<String, List<Double>> figures = new LinkedHashMap<>();
                for (int rep = 0; rep < reps; rep++) {
                    listFigures(admin, figures);
                    figures.computeIfAbsent("webhook to agent_requested p99 ms", k -> new ArrayList<>())
                            .add(bench.webhookToAgentRequested(rate, 2, num("e2e-seconds", 10)).getValueAtPercentile(99) / 1e6);
                    figures.computeIfAbsent("new customers stored/s", k -> new ArrayList<>()).add(burst(admin, burst));
                    figures.computeIfAbsent("idle CPU, all processes, % of a core", k -> new ArrayList<>())
                            .add(idleCpu(num("settle-seconds", 15), num("idle-seconds", 30)));
                }
                // idle as nobody uses it: once the last burst's tail (outbox, compaction, compilation) is long over
                int quiet = num("quiet-seconds", 300);
                String quietIdle = "idle CPU " + quiet + " s after the last request, % of a core";
                for (int rep = 0; rep < reps; rep++) {
                    figures.computeIfAbsent(quietIdle, k -> new ArrayList<>())
                            .add(idleCpu(rep == 0 ? quiet : 0, num("idle-seconds", 30)));
                }
                Map<String, Long> heaps = heaps();
                long grown = customers.estimatedDocumentCount();
                System.out.printf("%n%,d customers, %,d messages stored%n", grown, messages.estimatedDocumentCount());
                figures.forEach((name, values) -> System.out.printf("  %-42s %s%n", name, spread(values)));
                heaps.forEach((name, kib) -> System.out.printf("  heap after full GC, %-21s %.1f MiB%n", name, kib / 1024.0));
                Path store = Path.of(opts.getOrDefault("store", ".local/infra/mongo.mv"));
                if (Files.exists(store)) {
                    System.out.printf("  %-42s %.0f MiB%n", "wire server's store file", Files.size(store) / 1048576.0);
                }
                rows.add(String.format("| %,d-%,d | %s | %s | %s | %s | %s | %s | %s | %s |", filled, grown,
                        spread(figures.get("list all p99 ms")), spread(figures.get("list page p99 ms")),
                        spread(figures.get("list waiting p99 ms")), spread(figures.get("webhook to agent_requested p99 ms")),
                        spread(figures.get("new customers stored/s")), spread(figures.get("idle CPU, all processes, % of a core")),
                        spread(figures.get(quietIdle)),
                        heaps.values().stream().map(k -> String.format("%.0f", k / 1024.0)).reduce((a, b) -> a + "/" + b)
                                .orElse("")));
            }
        }
        System.out.println();
        System.out.println("| customers (at start-end of the size's runs) | list p99 ms | list of a page p99 ms | waiting list p99 ms | webhook to "
                + "agent_requested p99 ms | new customers stored/s | idle CPU % (after the burst) | idle CPU % (quiet) | heap MiB ("
                + String.join("/", PROCESSES) + ") |");
        System.out.println("|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    /** Adds customers (and their messages) of the bench page until the store holds {@code size}; returns the count. */
    private long fill(MongoCollection<Document> customers, MongoCollection<Document> messages, Document page, int size,
            int perCustomer) {
        long have = customers.estimatedDocumentCount();
        long started = System.nanoTime();
        String run = Long.toString(System.currentTimeMillis(), 36);
        Instant base = Instant.now().minus(Duration.ofDays(365));
        List<Document> batch = new ArrayList<>();
        List<Document> conversation = new ArrayList<>();
        for (long i = have; i < size; i++) {
            String customer = "grown-" + run + "-" + i;
            Instant first = base.plusSeconds(i * 31_536_000L / Math.max(1, size));
            Instant last = first.plusSeconds(60L * perCustomer);
            boolean waiting = i % 10 == 0;
            String pageId = page.getString("_id");
            batch.add(new Document("_id", pageId + ":" + customer).append("customer_id", customer)
                    .append("customer_name", "Grown Customer " + i)
                    .append("name_words", List.of("grown", "customer", Long.toString(i))).append("first_name", "Grown")
                    .append("last_name", "Customer " + i).append("page_id", pageId)
                    .append("page_name", page.getString("page_name")).append("company_id", page.getString("company_id"))
                    .append("message_count", (long) perCustomer).append("last_message", "message " + (perCustomer - 1))
                    .append("last_seen", Date.from(last)).append("first_seen", Date.from(first)).append("stop", waiting)
                    .append("stopped_at", waiting ? Date.from(last) : null).append("created_at", Date.from(first))
                    .append("updated_at", Date.from(last)).append("last_customer_message_at", Date.from(last))
                    .append("version", 1L).append("recent_mids", List.of()).append("pending", List.of())
                    .append("has_pending", false));
            for (int m = 0; m < perCustomer; m++) {
                Instant at = first.plusSeconds(60L * m);
                conversation.add(new Document("_id", "m-" + customer + "-" + m).append("company_id", page.getString("company_id"))
                        .append("page_id", pageId).append("customer_id", customer).append("direction", "inbound")
                        .append("author", "customer").append("text", "message " + m).append("mid", "m-" + customer + "-" + m)
                        .append("status", "received").append("created_at", Date.from(at)).append("updated_at", Date.from(at)));
            }
            if (batch.size() == 500) {
                customers.insertMany(batch);
                messages.insertMany(conversation);
                batch.clear();
                conversation.clear();
            }
        }
        if (!batch.isEmpty()) {
            customers.insertMany(batch);
            messages.insertMany(conversation);
        }
        long count = customers.estimatedDocumentCount();
        System.out.printf("%nfilled to %,d customers (%,d added) in %.1f s%n", count, Math.max(0, size - have),
                (System.nanoTime() - started) / 1e9);
        return count;
    }

    private void listFigures(String token, Map<String, List<Double>> figures) throws Exception {
        String rest = opts.getOrDefault("customer-service", "http://127.0.0.1:8081") + "/api/dashboard/customers";
        Map<String, String> lists = new LinkedHashMap<>();
        lists.put("list all p99 ms", rest + "?limit=50");
        lists.put("list page p99 ms", rest + "?limit=50&page_id=" + bench.page());
        lists.put("list waiting p99 ms", rest + "/stopped?limit=50");
        lists.put("list waiting of a page p99 ms", rest + "/stopped?limit=50&page_id=" + bench.page());
        for (Map.Entry<String, String> list : lists.entrySet()) {
            Histogram latency = new Histogram(3);
            HttpRequest request = HttpRequest.newBuilder(URI.create(list.getValue()))
                    .header("Authorization", "Bearer " + token).build();
            for (int i = 0; i < num("list-requests", 100) + 10; i++) {
                long sent = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(list.getValue() + " answered " + response.statusCode());
                }
                if (i >= 10) {
                    latency.recordValue(System.nanoTime() - sent);
                }
            }
            figures.computeIfAbsent(list.getKey(), k -> new ArrayList<>()).add(latency.getValueAtPercentile(99) / 1e6);
        }
    }

    /** New customers through signed webhooks from 16 clients; how many customer-service stored per second. */
    private double burst(String token, int n) throws Exception {
        long before = total(token);
        String run = Long.toString(System.currentTimeMillis(), 36);
        ExecutorService clients = Executors.newFixedThreadPool(16);
        long started = System.nanoTime();
        List<Future<?>> sent = new ArrayList<>();
        for (int c = 0; c < 16; c++) {
            int client = c;
            sent.add(clients.submit(() -> {
                for (int i = client; i < n; i += 16) {
                    bench.sendWebhook(http, "burst-" + run + "-" + i, "hello");
                }
                return null;
            }));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        clients.shutdown();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (total(token) < before + n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        long stored = total(token) - before;
        return stored / ((System.nanoTime() - started) / 1e9);
    }

    private long total(String token) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(opts.getOrDefault("customer-service",
                "http://127.0.0.1:8081") + "/api/dashboard/customers?limit=1&page_id=" + bench.page()))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = TOTAL.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no total in " + body);
        }
        return Long.parseLong(m.group(1));
    }

    /**
     * CPU time all processes used while nothing happened, as a share of one core, after {@code settle} seconds: right
     * after a burst ({@code --settle-seconds}) what it left behind (the last records, compilation, the store's
     * clean-up) still counts; after {@code --quiet-seconds} only what runs when nobody uses Handover.
     */
    private double idleCpu(int settle, int seconds) throws Exception {
        Thread.sleep(settle * 1000L);
        long before = cpuTicks();
        long started = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long used = cpuTicks() - before;
        return 100.0 * used / 100.0 / ((System.nanoTime() - started) / 1e9);
    }

    private long cpuTicks() throws IOException {
        long ticks = 0;
        for (String name : PROCESSES) {
            String stat = Files.readString(Path.of("/proc", pid(name), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks;
    }

    /** Each process's heap in use right after a full GC (its live data), in KiB. */
    private Map<String, Long> heaps() throws Exception {
        Map<String, Long> heaps = new LinkedHashMap<>();
        for (String name : PROCESSES) {
            jcmd(pid(name), "GC.run");
            Matcher m = USED.matcher(jcmd(pid(name), "GC.heap_info"));
            long used = 0;
            while (m.find()) {
                used += Long.parseLong(m.group(1));
            }
            heaps.put(name, used);
        }
        return heaps;
    }

    private String pid(String name) throws IOException {
        return Files.readString(Path.of(opts.getOrDefault("pids", ".local/pids"), name + ".pid")).trim();
    }

    private static String jcmd(String pid, String command) throws Exception {
        Process p = new ProcessBuilder("jcmd", pid, command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    private static String spread(List<Double> values) {
        if (values == null || values.isEmpty()) {
            return "-";
        }
        List<Double> sorted = values.stream().sorted().toList();
        return String.format("%.1f / %.1f / %.1f", sorted.get(0), sorted.get(sorted.size() / 2),
                sorted.get(sorted.size() - 1));
    }
}
