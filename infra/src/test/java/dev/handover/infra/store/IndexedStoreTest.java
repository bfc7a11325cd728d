package dev.handover.infra.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;

/**
 * The wire server's indexes, through the MongoDB driver: every answer equals what a plain reading of all
 * documents gives (filters, sorts, skips, counts, after updates and deletes, after a restart of a file store),
 * and {@code explain} tells which queries an index answers and which read everything or sort in memory.
 */
class IndexedStoreTest {

    private static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    private MongoServer server;
    private DurableH2Backend backend;
    private MongoClient client;
    private MongoDatabase database;

    @AfterEach
    void close() {
        stop();
    }

    private void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.shutdownNow();
        }
    }

    private MongoCollection<Document> open(String file) {
        backend = new DurableH2Backend(file);
        server = new MongoServer(backend);
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        database = client.getDatabase("handover");
        return database.getCollection("customers");
    }

    private static List<Document> seed(MongoCollection<Document> customers, int n) {
        var random = new Random(7);
        List<Document> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Document d = new Document("_id", "p" + (i % 3) + ":c" + i).append("company_id", "co-" + (i % 4))
                    .append("page_id", "p" + (i % 3)).append("customer_id", "c" + i)
                    .append("last_seen", Date.from(BASE.plusSeconds(random.nextInt(1000))))
                    .append("stop", random.nextInt(3) == 0);
            if (random.nextBoolean()) {
                d.append("agent_id", random.nextBoolean() ? null : "agent-" + random.nextInt(3));
            }
            all.add(d);
        }
        customers.insertMany(all);
        return all;
    }

    private static void index(MongoCollection<Document> customers) {
        customers.createIndex(Indexes.ascending("customer_id", "page_id"), new IndexOptions().unique(true));
        customers.createIndex(Indexes.ascending("company_id", "last_seen", "_id"));
        customers.createIndex(Indexes.compoundIndex(Indexes.ascending("company_id", "stop"),
                Indexes.descending("last_seen")));
        customers.createIndex(Indexes.ascending("stop", "agent_id"));
    }

    private Document plan(Bson filter, Bson sort) {
        Document find = new Document("find", "customers").append("filter", filter.toBsonDocument());
        if (sort != null) {
            find.append("sort", sort.toBsonDocument());
        }
        Document answer = database.runCommand(new Document("explain", find));
        return answer.get("queryPlanner", Document.class).get("winningPlan", Document.class);
    }

    private static Comparator<Document> lastSeenDescending() {
        return Comparator.comparing((Document d) -> d.getDate("last_seen")).thenComparing(d -> d.getString("_id"))
                .reversed();
    }

    private static List<String> ids(List<Document> documents) {
        return documents.stream().map(d -> d.getString("_id")).toList();
    }

    private static List<String> expected(List<Document> all, Predicate<Document> filter, Comparator<Document> order,
            int skip, int limit) {
        return ids(all.stream().filter(filter).sorted(order).skip(skip).limit(limit).toList());
    }

    @Test
    void sortedPagesAndCountsEqualAPlainReadingOfEveryDocument() {
        MongoCollection<Document> customers = open(null);
        index(customers);
        List<Document> all = seed(customers, 1200);

        for (String company : List.of("co-0", "co-3", "co-none")) {
            for (int skip : List.of(0, 50, 290)) {
                List<Document> page = customers.find(Filters.eq("company_id", company))
                        .sort(Sorts.descending("last_seen", "_id")).skip(skip).limit(50).into(new ArrayList<>());
                assertEquals(expected(all, d -> d.get("company_id").equals(company), lastSeenDescending(), skip, 50),
                        ids(page), company + " skip " + skip);
            }
            Bson waiting = Filters.and(Filters.eq("company_id", company), Filters.eq("stop", true));
            assertEquals(all.stream().filter(d -> d.get("company_id").equals(company) && d.getBoolean("stop")).count(),
                    customers.countDocuments(waiting));
            List<Document> oldestFirst = customers.find(waiting).sort(Sorts.ascending("last_seen")).limit(20)
                    .into(new ArrayList<>());
            List<Date> seen = oldestFirst.stream().map(d -> d.getDate("last_seen")).toList();
            assertEquals(seen.stream().sorted().toList(), seen);
        }
        Predicate<Document> unassigned = d -> d.getBoolean("stop") && d.get("agent_id") == null;
        assertEquals(all.stream().filter(unassigned).count(),
                customers.countDocuments(Filters.and(Filters.eq("stop", true), Filters.eq("agent_id", null))));

        Date from = Date.from(BASE.plusSeconds(200));
        Date to = Date.from(BASE.plusSeconds(400));
        List<Document> ranged = customers.find(Filters.and(Filters.eq("company_id", "co-1"),
                Filters.gt("last_seen", from), Filters.lte("last_seen", to))).sort(Sorts.ascending("last_seen", "_id"))
                .into(new ArrayList<>());
        assertEquals(expected(all, d -> d.get("company_id").equals("co-1") && d.getDate("last_seen").after(from)
                && !d.getDate("last_seen").after(to), lastSeenDescending().reversed(), 0, 10_000), ids(ranged));
        assertEquals(List.of("p1:c7"), ids(customers.find(Filters.and(Filters.eq("_id", "p1:c7"),
                Filters.eq("company_id", "co-3"))).into(new ArrayList<>())));
        assertEquals(List.of(), ids(customers.find(Filters.and(Filters.eq("_id", "p1:c7"),
                Filters.eq("company_id", "co-0"))).into(new ArrayList<>())));
    }

    /**
     * A count with a range on the key after the equal ones ({@code $lt}, {@code $lte}, {@code $gt}, {@code $gte}, both
     * ends) on an ascending and on a descending key part is counted from the index (a {@code COUNT_SCAN}) and equals a
     * plain reading of every document, at every bound, including the values stored.
     */
    @Test
    void rangedCountsAreCountedFromTheIndexAndEqualAPlainReading() {
        MongoCollection<Document> customers = open(null);
        List<Document> all = seed(customers, 400);
        index(customers);
        for (int at : new int[] { 0, 1, 250, 500, 999, 1000 }) {
            Date bound = Date.from(BASE.plusSeconds(at));
            Date other = Date.from(BASE.plusSeconds(at / 2));
            for (String company : List.of("co-1", "co-3")) {
                Predicate<Document> ofCompany = d -> company.equals(d.get("company_id"));
                Predicate<Document> waiting = d -> company.equals(d.get("company_id")) && d.getBoolean("stop");
                Comparator<Date> order = Comparator.naturalOrder();
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.lt("last_seen", bound)),
                        ofCompany.and(d -> order.compare(d.getDate("last_seen"), bound) < 0));
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.lte("last_seen", bound)),
                        ofCompany.and(d -> order.compare(d.getDate("last_seen"), bound) <= 0));
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.gt("last_seen", bound)),
                        ofCompany.and(d -> order.compare(d.getDate("last_seen"), bound) > 0));
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.gte("last_seen", other),
                        Filters.lt("last_seen", bound)), ofCompany.and(d -> order.compare(d.getDate("last_seen"), other) >= 0
                                && order.compare(d.getDate("last_seen"), bound) < 0));
                // the descending last_seen of (company_id, stop, last_seen -1)
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.eq("stop", true),
                        Filters.lt("last_seen", bound)), waiting.and(d -> order.compare(d.getDate("last_seen"), bound) < 0));
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.eq("stop", true),
                        Filters.gte("last_seen", bound)), waiting.and(d -> order.compare(d.getDate("last_seen"), bound) >= 0));
                assertCounted(customers, all, Filters.and(Filters.eq("company_id", company), Filters.eq("stop", true),
                        Filters.gt("last_seen", other), Filters.lte("last_seen", bound)),
                        waiting.and(d -> order.compare(d.getDate("last_seen"), other) > 0
                                && order.compare(d.getDate("last_seen"), bound) <= 0));
            }
        }
    }

    /**
     * A range's exclusive bound leaves out the index entries of its own value, on an ascending and on a descending key
     * part: walking the companies ({@code $gt} the last one) reads none of the last one's customers, and a {@code $lt}
     * none of the bound's. Counted on the positions the plan reads, and the documents found equal a plain reading.
     */
    @Test
    void anExclusiveBoundReadsNoEntryOfItsOwnValue() {
        MongoCollection<Document> customers = open(null);
        index(customers);
        List<Document> all = seed(customers, 1200);
        var indexed = (IndexedCollection) backend.resolveDatabase("handover").resolveCollection("customers", false);
        var byCompany = new de.bwaldvogel.mongo.bson.Document("company_id", 1);
        for (String company : List.of("", "co-0", "co-2", "co-3")) {
            for (String op : List.of("$gt", "$lt")) {
                var query = new de.bwaldvogel.mongo.bson.Document("company_id", new de.bwaldvogel.mongo.bson.Document(op, company));
                long matching = all.stream().map(d -> d.getString("company_id").compareTo(company))
                        .filter(c -> op.equals("$gt") ? c > 0 : c < 0).count();
                assertEquals(matching, read(indexed.plan(query, byCompany)), op + " " + company);
            }
        }
        List<String> walked = new ArrayList<>();
        for (String company = next(customers, ""); company != null; company = next(customers, company)) {
            walked.add(company);
        }
        assertEquals(List.of("co-0", "co-1", "co-2", "co-3"), walked);

        for (Document bound : all.subList(0, 20)) {
            Date at = bound.getDate("last_seen");
            String company = bound.getString("company_id");
            for (String op : List.of("$gt", "$lt")) {
                // the descending last_seen of (company_id, stop, last_seen -1)
                var query = new de.bwaldvogel.mongo.bson.Document("company_id", company).append("stop", true)
                        .append("last_seen", new de.bwaldvogel.mongo.bson.Document(op, at));
                Predicate<Document> matches = d -> d.get("company_id").equals(company) && d.getBoolean("stop")
                        && (op.equals("$gt") ? d.getDate("last_seen").after(at) : d.getDate("last_seen").before(at));
                assertEquals(all.stream().filter(matches).count(), read(indexed.plan(query, null)), op + " " + at);
                assertEquals(all.stream().filter(matches).count(), customers.countDocuments(Filters.and(
                        Filters.eq("company_id", company), Filters.eq("stop", true),
                        op.equals("$gt") ? Filters.gt("last_seen", at) : Filters.lt("last_seen", at))));
            }
        }
    }

    private static long read(QueryPlan plan) {
        var positions = ((QueryPlan.Scan) plan).positions();
        long n = 0;
        for (; positions.hasNext(); positions.next()) {
            n++;
        }
        return n;
    }

    private static String next(MongoCollection<Document> customers, String after) {
        Document first = customers.find(Filters.gt("company_id", after)).sort(Sorts.ascending("company_id"))
                .projection(new Document("company_id", 1)).limit(1).first();
        return first == null ? null : first.getString("company_id");
    }

    private void assertCounted(MongoCollection<Document> customers, List<Document> all, Bson filter,
            Predicate<Document> matches) {
        assertEquals(all.stream().filter(matches).count(), customers.countDocuments(filter), filter.toString());
        Document count = database.runCommand(new Document("explain", new Document("aggregate", "customers")
                .append("pipeline", List.of(new Document("$match", filter.toBsonDocument()),
                        new Document("$group", new Document("_id", 1).append("n", new Document("$sum", 1)))))
                .append("cursor", new Document())));
        assertEquals("COUNT_SCAN", count.get("queryPlanner", Document.class).get("winningPlan", Document.class)
                .get("inputStage", Document.class).getString("stage"), filter.toString());
    }

    @Test
    void updatesAndDeletesMoveTheIndexEntries() {
        MongoCollection<Document> customers = open(null);
        index(customers);
        seed(customers, 300);
        Date latest = Date.from(BASE.plusSeconds(5000));
        customers.updateOne(Filters.eq("_id", "p2:c8"), Updates.set("last_seen", latest));
        assertEquals("p2:c8", customers.find(Filters.eq("company_id", "co-0")).sort(Sorts.descending("last_seen", "_id"))
                .first().getString("_id"));
        long before = customers.countDocuments(Filters.eq("company_id", "co-0"));
        customers.deleteOne(Filters.eq("_id", "p2:c8"));
        customers.updateOne(Filters.eq("_id", "p0:c12"), Updates.set("company_id", "co-9"));
        assertEquals(before - 2, customers.countDocuments(Filters.eq("company_id", "co-0")));
        assertEquals(1, customers.countDocuments(Filters.eq("company_id", "co-9")));
        assertTrue(customers.find(Filters.eq("company_id", "co-0")).into(new ArrayList<>()).stream()
                .noneMatch(d -> Objects.equals(d.get("_id"), "p2:c8") || Objects.equals(d.get("_id"), "p0:c12")));
    }

    @Test
    void aFileStoreKeepsItsIndexesAcrossARestart() {
        String file = dir.resolve("store.mv").toString();
        MongoCollection<Document> customers = open(file);
        index(customers);
        List<Document> all = seed(customers, 400);
        stop();
        customers = open(file);
        customers.insertOne(new Document("_id", "p0:late").append("company_id", "co-2").append("page_id", "p0")
                .append("customer_id", "late").append("last_seen", Date.from(BASE.plusSeconds(9000))).append("stop", true));
        assertEquals("p0:late", customers.find(Filters.eq("company_id", "co-2"))
                .sort(Sorts.descending("last_seen", "_id")).first().getString("_id"));
        assertEquals(all.stream().filter(d -> d.get("company_id").equals("co-2")).count() + 1,
                customers.countDocuments(Filters.eq("company_id", "co-2")));
        assertEquals("IXSCAN", plan(Filters.eq("company_id", "co-2"), Sorts.descending("last_seen", "_id"))
                .get("inputStage", Document.class).getString("stage"));
    }

    /**
     * A crash image: the store file and its redo log copied while the server runs, as a SIGKILL leaves them (the
     * store as last committed, the redo log holding every write answered since). Opened again, every answered write
     * is there with its index entries, whether the store was committed after the writes or not: records applied
     * again to a store that already holds them change nothing.
     */
    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void everyAnsweredWriteIsInACopyOfTheFilesTakenWhileTheServerRuns(boolean committedAfterTheWrites) throws IOException {
        Path live = dir.resolve("live.mv");
        DurableH2Backend backend = new DurableH2Backend(live.toString(), Duration.ofHours(1));
        server = new MongoServer(backend);
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        MongoCollection<Document> customers = client.getDatabase("handover").getCollection("customers");
        index(customers); // a change of shape: committed before it is answered
        seed(customers, 300);
        customers.updateMany(Filters.eq("company_id", "co-1"), Updates.set("last_seen", Date.from(BASE.plusSeconds(7000))));
        customers.updateOne(Filters.eq("_id", "p0:c3"), Updates.set("company_id", "co-9"));
        customers.deleteMany(Filters.eq("company_id", "co-2"));
        for (int i = 0; i < 3; i++) {
            customers.updateOne(Filters.eq("_id", "p1:c4"), Updates.inc("visits", 1));
        }
        if (committedAfterTheWrites) {
            backend.commit();
        }
        Path image = Files.createDirectories(dir.resolve("image"));
        try (var files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith("live.mv")).sorted().toList()) {
                Files.copy(file, image.resolve(file.getFileName()));
            }
        }
        List<Document> answered = customers.find().sort(Sorts.ascending("_id")).into(new ArrayList<>());
        stop();

        customers = open(image.resolve("live.mv").toString());
        assertEquals(answered, customers.find().sort(Sorts.ascending("_id")).into(new ArrayList<>()));
        assertEquals(3, customers.find(Filters.eq("_id", "p1:c4")).first().getInteger("visits"));
        for (int company = 0; company < 10; company++) {
            String id = "co-" + company;
            assertEquals(answered.stream().filter(d -> id.equals(d.get("company_id"))).count(),
                    customers.countDocuments(Filters.eq("company_id", id)), "count of " + id);
            assertEquals(expected(answered, d -> id.equals(d.get("company_id")), lastSeenDescending(), 0, 20),
                    ids(customers.find(Filters.eq("company_id", id)).sort(Sorts.descending("last_seen", "_id")).limit(20)
                            .into(new ArrayList<>())), "newest of " + id);
        }
        var existing = answered.get(0);
        assertThrows(MongoWriteException.class, () -> client.getDatabase("handover").getCollection("customers")
                .insertOne(new Document("_id", "copy").append("customer_id", existing.get("customer_id"))
                        .append("page_id", existing.get("page_id"))), "the unique index lost an entry");
        customers.insertOne(new Document("_id", "p2:again").append("customer_id", "c2").append("page_id", "p2"));
    }

    /**
     * Without H2's background writer the checkpoints compact the file: a document rewritten thousands of times next
     * to documents that stay (so every chunk keeps some live pages) leaves a file of a few MiB, not one that grows
     * with every version written, while another client reads all along; once the writes stop, nothing the compaction
     * rewrote stays in memory uncommitted (it would until the next write: hours, on a quiet night, and a heap full of
     * decoded documents); reopened, the store holds the last state.
     */
    @Test
    void checkpointsCompactTheFileWhileClientsReadAndWrite() throws Exception {
        Path file = dir.resolve("churn.mv");
        DurableH2Backend backend = new DurableH2Backend(file.toString(), Duration.ofMillis(5));
        // dead chunks are kept for H2's retention time (45 s) before their space is used again; not in this test
        backend.getMvStore().setRetentionTime(0);
        server = new MongoServer(backend);
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        MongoCollection<Document> written = client.getDatabase("handover").getCollection("presence");
        String report = "x".repeat(16 * 1024);
        var reading = java.util.concurrent.Executors.newSingleThreadExecutor();
        var stop = new java.util.concurrent.atomic.AtomicBoolean();
        var reads = reading.submit(() -> {
            long n = 0;
            while (!stop.get()) {
                written.countDocuments();
                written.find(Filters.eq("_id", "report")).first();
                n++;
            }
            return n;
        });
        int versions = 2000;
        for (int i = 0; i < versions; i++) {
            written.replaceOne(Filters.eq("_id", "report"), new Document("_id", "report").append("version", i)
                    .append("agents", report), new com.mongodb.client.model.ReplaceOptions().upsert(true));
            written.insertOne(new Document("_id", "stays-" + i).append("n", i));
        }
        stop.set(true);
        assertTrue(reads.get(30, java.util.concurrent.TimeUnit.SECONDS) > 0);
        reading.shutdown();
        await().atMost(Duration.ofSeconds(5)).until(() -> !backend.getMvStore().hasUnsavedChanges());
        stop();

        long churned = (long) versions * report.length();
        long size = Files.size(file);
        System.out.printf("store file after %d bytes of rewritten versions: %d bytes%n", churned, size);
        assertTrue(size < 4L * 1024 * 1024, "the file keeps every version: " + size + " bytes after " + churned + " written");
        open(file.toString());
        MongoCollection<Document> presence = database.getCollection("presence");
        assertEquals(versions - 1, presence.find(Filters.eq("_id", "report")).first().getInteger("version"));
        assertEquals(versions + 1, presence.countDocuments());
    }

    @Test
    void aStoreWrittenByUpstreamIsTakenOverWithItsDocumentsAndIndexes() {
        String file = dir.resolve("upstream.mv").toString();
        server = new MongoServer(new H2Backend(file));
        client = MongoClients.create("mongodb://127.0.0.1:" + server.bind().getPort());
        MongoCollection<Document> written = client.getDatabase("handover").getCollection("customers");
        index(written);
        List<Document> all = seed(written, 300);
        stop();

        MongoCollection<Document> customers = open(file);
        assertEquals(300, customers.countDocuments());
        assertEquals("co-1", customers.find(Filters.eq("_id", "p1:c1")).first().getString("company_id"));
        assertEquals(expected(all, d -> d.get("company_id").equals("co-1"), lastSeenDescending(), 0, 20),
                ids(customers.find(Filters.eq("company_id", "co-1")).sort(Sorts.descending("last_seen", "_id")).limit(20)
                        .into(new ArrayList<>())));
        var duplicate = assertThrows(MongoWriteException.class, () -> customers.insertOne(new Document("_id", "other")
                .append("customer_id", "c1").append("page_id", "p1")));
        assertEquals(11000, duplicate.getCode());
        customers.dropIndex("stop_1_agent_id_1");
        customers.updateOne(Filters.eq("_id", "p1:c1"), Updates.set("stop", true));
        stop();

        MongoCollection<Document> reopened = open(file);
        assertEquals(300, reopened.countDocuments());
        assertEquals(true, reopened.find(Filters.eq("_id", "p1:c1")).first().getBoolean("stop"));
        assertEquals("COLLSCAN", plan(Filters.and(Filters.eq("stop", true), Filters.eq("agent_id", null)), null)
                .getString("stage"));
    }

    @Test
    void explainSaysWhichQueriesAnIndexAnswers() {
        MongoCollection<Document> customers = open(null);
        index(customers);
        seed(customers, 50);

        Document list = plan(Filters.eq("company_id", "co-1"), Sorts.descending("last_seen", "_id"));
        assertEquals("FETCH", list.getString("stage"));
        Document scan = list.get("inputStage", Document.class);
        assertEquals("company_id_1_last_seen_1__id_1", scan.getString("indexName"));
        assertEquals("backward", scan.getString("direction"));

        Document waiting = plan(Filters.and(Filters.eq("company_id", "co-1"), Filters.eq("stop", true)),
                Sorts.ascending("last_seen"));
        assertEquals("company_id_1_stop_1_last_seen_-1",
                waiting.get("inputStage", Document.class).getString("indexName"));
        assertEquals("backward", waiting.get("inputStage", Document.class).getString("direction"));

        assertEquals("IDHACK", plan(Filters.and(Filters.eq("_id", "p0:c3"), Filters.eq("stop", false)), null)
                .getString("stage"));
        assertEquals("IXSCAN", plan(Filters.and(Filters.eq("customer_id", "c3"), Filters.eq("page_id", "p0")), null)
                .get("inputStage", Document.class).getString("stage"));
        assertEquals("COLLSCAN", plan(Filters.eq("page_id", "p1"), null).getString("stage"));
        Document sortedInMemory = plan(Filters.eq("company_id", "co-1"), Sorts.ascending("customer_id"));
        assertEquals("SORT", sortedInMemory.getString("stage"));
        Document count = database.runCommand(new Document("explain", new Document("aggregate", "customers")
                .append("pipeline", List.of(new Document("$match", new Document("stop", true).append("agent_id", null)),
                        new Document("$group", new Document("_id", 1).append("n", new Document("$sum", 1)))))
                .append("cursor", new Document())));
        Document counted = count.get("queryPlanner", Document.class).get("winningPlan", Document.class);
        assertEquals("COUNT_SCAN", counted.get("inputStage", Document.class).getString("stage"));
    }
}
