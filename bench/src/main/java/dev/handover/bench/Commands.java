package dev.handover.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database commands customer-service sent while some work ran, from its {@code handover_mongodb_commands_total}
 * (by command and collection), less what it sends with nothing to do (timers, sweeps) at the rate measured just
 * before: what the work itself cost the database.
 */
final class Commands {

    private static final Pattern LINE = Pattern.compile(
            "^handover_mongodb_commands_total\\{collection=\"([^\"]*)\",command=\"([^\"]*)\"[^}]*} ([0-9.eE+-]+)$",
            Pattern.MULTILINE);
    private static final long IDLE_WINDOW_MILLIS = 1000;
    private static final int IDLE_WINDOWS = 10;
    private static final long SETTLE_MILLIS = 3000;

    /** Work that may throw. */
    interface Work {
        void run() throws Exception;
    }

    private final Map<String, Double> spent;
    private final double idle;

    private Commands(Map<String, Double> spent, double idle) {
        this.spent = spent;
        this.idle = idle;
    }

    /** Runs {@code work} and counts the commands it cost (waiting a moment after it for what it set going). */
    static Commands during(Bench bench, HttpClient http, Work work) throws Exception {
        // the quietest of a few windows: what an earlier phase set going may still be finishing
        double idleRate = Double.MAX_VALUE;
        Map<String, Double> start = read(bench, http);
        for (int window = 0; window < IDLE_WINDOWS && idleRate > 10.0 / IDLE_WINDOW_MILLIS; window++) {
            Thread.sleep(IDLE_WINDOW_MILLIS);
            Map<String, Double> now = read(bench, http);
            idleRate = Math.min(idleRate, total(minus(now, start)) / IDLE_WINDOW_MILLIS);
            start = now;
        }
        long from = System.currentTimeMillis();
        work.run();
        Thread.sleep(SETTLE_MILLIS);
        Map<String, Double> spent = minus(read(bench, http), start);
        return new Commands(spent, idleRate * (System.currentTimeMillis() - from));
    }

    /** Prints the commands per unit of work, with the five commonest, and answers the figure. */
    double print(String what, int units) {
        double per = Math.max(0, total(spent) - idle) / Math.max(1, units);
        StringBuilder commonest = new StringBuilder();
        spent.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed()).limit(6)
                .forEach(e -> commonest.append(String.format("%s%s %.2f", commonest.isEmpty() ? "" : ", ", e.getKey(),
                        e.getValue() / Math.max(1, units))));
        System.out.printf("%s: %.2f (%d of them; %.0f commands, of which about %.0f the idle service's; by kind: %s)%n",
                what, per, units, total(spent), idle, commonest);
        return per;
    }

    private static Map<String, Double> read(Bench bench, HttpClient http) throws Exception {
        String metrics = http.send(HttpRequest.newBuilder(URI.create(bench.customerService() + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Double> counts = new TreeMap<>();
        Matcher line = LINE.matcher(metrics);
        while (line.find()) {
            counts.merge(line.group(2) + " " + line.group(1), Double.parseDouble(line.group(3)), Double::sum);
        }
        if (counts.isEmpty()) {
            throw new IllegalStateException("customer-service reports no handover_mongodb_commands_total");
        }
        return counts;
    }

    private static Map<String, Double> minus(Map<String, Double> after, Map<String, Double> before) {
        Map<String, Double> diff = new TreeMap<>();
        after.forEach((key, value) -> diff.put(key, value - before.getOrDefault(key, 0.0)));
        diff.values().removeIf(v -> v <= 0);
        return diff;
    }

    private static double total(Map<String, Double> counts) {
        return counts.values().stream().mapToDouble(Double::doubleValue).sum();
    }
}
