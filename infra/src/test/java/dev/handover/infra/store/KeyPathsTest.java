package dev.handover.infra.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * The key values the wire server's indexes read for a document equal upstream's, for plain values (read directly)
 * and for arrays and sub-documents (left to upstream): a difference would file a document under a key that its
 * queries never look up.
 */
class KeyPathsTest {

    private static final List<IndexKey> KEYS = List.of(new IndexKey("company_id", true), new IndexKey("agent.id", false),
            new IndexKey("due_at", true), new IndexKey("n", true));

    static Stream<Document> documents() {
        Date due = Date.from(Instant.parse("2026-03-01T10:00:00Z"));
        return Stream.of(
                new Document("company_id", "co-1").append("agent", new Document("id", "a-1")).append("due_at", due)
                        .append("n", 3),
                new Document("company_id", "co-1").append("n", 3L),
                new Document("company_id", "co-1").append("n", 3.0).append("agent", null),
                new Document("company_id", null).append("n", -0.0).append("agent", "not a document"),
                new Document("_id", new ObjectId()).append("agent", new Document()),
                new Document("company_id", true).append("n", 2.5).append("agent", new Document("id", 7)),
                new Document("company_id", "co-2").append("agent", List.of(new Document("id", "a-1"),
                        new Document("id", "a-2"))),
                new Document("company_id", List.of("co-1", "co-2")).append("n", 1),
                new Document("company_id", new Document("nested", 1)).append("n", 1),
                new Document("agent", new Document("id", List.of("a-1", "a-2"))));
    }

    @ParameterizedTest
    @MethodSource("documents")
    void aDocumentHasTheKeysUpstreamReads(Document document) {
        assertEquals(List.copyOf(new Upstream(KEYS).getKeyValues(document)),
                List.copyOf(new OrderedIndex(null, "keys", KEYS, false).getKeyValues(document)));
    }

    @Test
    void plainValuesAreReadDirectlyAndArraysAreLeftToUpstream() {
        KeyPaths paths = new KeyPaths(KEYS);
        KeyValue plain = paths.single(new Document("company_id", "co-1").append("agent", new Document("id", "a-1"))
                .append("n", 3));
        assertNotNull(plain);
        assertEquals(new KeyValue("co-1", "a-1", null, 3.0), plain);
        assertNull(paths.single(new Document("company_id", List.of("co-1"))));
        assertNull(paths.single(new Document("agent", List.of(new Document("id", "a-1")))));
        assertNull(paths.single(new Document("n", new Document("x", 1))));
    }

    @Test
    void aPathUpstreamRejectsIsLeftToUpstream() {
        KeyPaths paths = new KeyPaths(List.of(new IndexKey("agent..id", true)));
        assertNull(paths.single(new Document("agent", new Document("id", "a-1"))));
        Upstream upstream = new Upstream(List.of(new IndexKey("agent..id", true)));
        assertThrows(RuntimeException.class, () -> upstream.getKeyValues(new Document("agent", "x")));
    }

    /** Upstream's reading of key values, unchanged. */
    private static final class Upstream extends Index<Object> {

        Upstream(List<IndexKey> keys) {
            super("upstream", keys, false);
        }

        @Override
        public Object getPosition(Document document) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkAdd(Document document, MongoCollection<Object> collection) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void add(Document document, Object position, MongoCollection<Object> collection) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Object remove(Document document) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean canHandle(Document query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Iterable<Object> getPositions(Document query) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getCount() {
            throw new UnsupportedOperationException();
        }

        @Override
        public long getDataSize() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void updateInPlace(Document oldDocument, Document newDocument, Object position,
                MongoCollection<Object> collection) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void drop() {
            throw new UnsupportedOperationException();
        }
    }
}
