package dev.handover.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

import dev.handover.infra.InfraProcess;

/**
 * What durability costs a write on the embedded wire server: the in-memory backend (nothing survives a restart)
 * and the H2 backend (every answered write is in the redo log first) side by side, each in its own process,
 * warmed up, then measured in alternating repetitions through the MongoDB driver, one writer: an insert with a
 * secondary index and an update by {@code _id}. The ratio is taken within each repetition.
 *
 * <pre>
 * Bench store [--writes 2000] [--warmup 4000] [--reps 5]
 * </pre>
 */
final class StoreWriteBench {

    private final int writes;
    private final int warmup;
    private final int reps;

    StoreWriteBench(Map<String, String> opts) {
        this.writes = Integer.parseInt(opts.getOrDefault("writes", "2000"));
        this.warmup = Integer.parseInt(opts.getOrDefault("warmup", "4000"));
        this.reps = Integer.parseInt(opts.getOrDefault("reps", "5"));
    }

    void run() throws Exception {
        Options.printMachine("store writes");
        System.out.printf("settings: writes per repetition=%d (inserts, then as many updates), warm-up=%d, repetitions=%d%n",
                writes, warmup, reps);
        Path dir = Files.createTempDirectory("handover-store-bench");
        try (InfraProcess memory = InfraProcess.start(List.of("--data-dir", dir.resolve("memory").toString(), "--mongo", "0"),
                dir.resolve("memory.log"), 60);
                InfraProcess h2 = InfraProcess.start(List.of("--data-dir", dir.resolve("h2").toString(), "--mongo", "0",
                        "--mongo-backend", "h2"), dir.resolve("h2.log"), 60);
                MongoClient memoryClient = MongoClients.create(memory.mongoConnectionString());
                MongoClient h2Client = MongoClients.create(h2.mongoConnectionString())) {
            MongoCollection<Document> inMemory = collection(memoryClient);
            MongoCollection<Document> durable = collection(h2Client);
            write(inMemory, 0, warmup);
            write(durable, 0, warmup);
            List<Double> memoryInserts = new ArrayList<>();
            List<Double> memoryUpdates = new ArrayList<>();
            List<Double> h2Inserts = new ArrayList<>();
            List<Double> h2Updates = new ArrayList<>();
            List<Double> insertRatios = new ArrayList<>();
            List<Double> updateRatios = new ArrayList<>();
            for (int rep = 0; rep < reps; rep++) {
                int from = warmup + rep * writes;
                double[] m = write(inMemory, from, writes);
                double[] d = write(durable, from, writes);
                memoryInserts.add(m[0]);
                memoryUpdates.add(m[1]);
                h2Inserts.add(d[0]);
                h2Updates.add(d[1]);
                insertRatios.add(d[0] / m[0]);
                updateRatios.add(d[1] / m[1]);
                System.out.printf("repetition %d: insert %.0f us in memory, %.0f us durable (x%.2f); update %.0f us, %.0f us "
                        + "(x%.2f)%n", rep + 1, m[0], d[0], d[0] / m[0], m[1], d[1], d[1] / m[1]);
            }
            System.out.println("min / median / max over the repetitions:");
            System.out.printf("insert, in memory: %s us; durable: %s us; durable / memory: %s%n",
                    Options.spread(memoryInserts, "%.0f"), Options.spread(h2Inserts, "%.0f"), Options.spread(insertRatios, "%.2f"));
            System.out.printf("update, in memory: %s us; durable: %s us; durable / memory: %s%n",
                    Options.spread(memoryUpdates, "%.0f"), Options.spread(h2Updates, "%.0f"), Options.spread(updateRatios, "%.2f"));
        }
    }

    private static MongoCollection<Document> collection(MongoClient client) {
        MongoCollection<Document> collection = client.getDatabase("bench").getCollection("writes");
        collection.createIndex(Indexes.ascending("customer_id"));
        return collection;
    }

    /** {@code count} inserts from id {@code from}, then an update of each; microseconds per insert and per update. */
    private static double[] write(MongoCollection<Document> collection, int from, int count) {
        long started = System.nanoTime();
        for (int i = from; i < from + count; i++) {
            collection.insertOne(new Document("_id", i).append("customer_id", "c-" + i % 97).append("text", "message " + i));
        }
        long inserted = System.nanoTime();
        for (int i = from; i < from + count; i++) {
            collection.updateOne(Filters.eq("_id", i), Updates.set("status", "sent"));
        }
        long updated = System.nanoTime();
        return new double[] { (inserted - started) / 1_000.0 / count, (updated - inserted) / 1_000.0 / count };
    }
}
