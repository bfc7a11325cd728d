package dev.handover.infra.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;

/**
 * How a query is answered: by {@code _id}, by a unique key, by a range of an {@link OrderedIndex} (in the order
 * a sort asks for, or not), or by reading the whole collection. The choice is the one MongoDB's planner makes
 * for these shapes: the index with the longest run of equal values, then a range, then one that gives the
 * order; {@link #describe()} answers {@code explain} in MongoDB's own terms.
 */
sealed interface QueryPlan {

    /** Whether the documents come in the order the query asked for (no sort in memory needed). */
    boolean sorted();

    Document describe();

    /** Documents looked up by their {@code _id} or another unique key: a handful, whatever the order asked. */
    record Lookup(Index<Object> index, Iterable<Object> positions) implements QueryPlan {
        @Override
        public boolean sorted() {
            return true;
        }

        @Override
        public Document describe() {
            if (index.getKeys().size() == 1 && index.getKeys().get(0).getKey().equals("_id")) {
                return new Document("stage", "IDHACK");
            }
            return fetch(new Document("stage", "IXSCAN").append("indexName", index.getName())
                    .append("keyPattern", pattern(index)).append("isUnique", true));
        }
    }

    /**
     * The entries of an ordered index from {@code low} to before {@code upper} ({@code null}: the end): the equal
     * keys' values, then the range's bounds, an exclusive bound's own value left out (a {@code $gt} past a value
     * that thousands of entries share does not read them).
     */
    record Scan(OrderedIndex index, byte[] low, byte[] upper, boolean reverse, boolean sorted, boolean covered,
            int equalKeys, boolean ranged) implements QueryPlan {

        Iterator<Object> positions() {
            return index.positions(low, upper, reverse);
        }

        /** How many entries the filter matches, from their ranks alone; only when {@link #covered}. */
        long count() {
            return index.count(low, upper);
        }

        @Override
        public Document describe() {
            return fetch(scan("IXSCAN"));
        }

        /** As a count: from the index entries alone when the index answers the whole filter. */
        Document describeCount() {
            return covered ? scan("COUNT_SCAN") : describe();
        }

        private Document scan(String stage) {
            return new Document("stage", stage).append("indexName", index.getName()).append("keyPattern", pattern(index))
                    .append("direction", reverse ? "backward" : "forward").append("equalityPrefix", equalKeys)
                    .append("range", ranged);
        }
    }

    /** Every document of the collection. */
    record CollectionScan(boolean sorted) implements QueryPlan {
        @Override
        public Document describe() {
            return new Document("stage", "COLLSCAN");
        }
    }

    private static Document fetch(Document input) {
        return new Document("stage", "FETCH").append("inputStage", input);
    }

    private static Document pattern(Index<?> index) {
        var pattern = new Document();
        for (IndexKey key : index.getKeys()) {
            pattern.append(key.getKey(), key.isAscending() ? 1 : -1);
        }
        return pattern;
    }

    /** The plan's description, under a sort stage when the order is made in memory. */
    static Document describe(QueryPlan plan, Document orderBy) {
        Document stage = plan.describe();
        return plan.sorted() || orderBy == null || orderBy.isEmpty() ? stage
                : new Document("stage", "SORT").append("sortPattern", orderBy).append("inputStage", stage);
    }

    /** Chooses how to answer {@code query} in the order {@code orderBy} (may be null) with these indexes. */
    static QueryPlan choose(List<Index<Object>> indexes, Document query, Document orderBy) {
        Conditions conditions = Conditions.of(query);
        Map<String, Conditions.Field> fields = conditions.fields;
        boolean unordered = orderBy == null || orderBy.isEmpty();
        for (Index<Object> index : indexes) {
            if (index instanceof OrderedIndex || !index.isUnique()) {
                continue;
            }
            Document keys = new Document();
            for (IndexKey key : index.getKeys()) {
                Conditions.Field field = fields.get(key.getKey());
                if (field != null && field.hasEq) {
                    keys.put(key.getKey(), field.eq);
                } else if (field != null && field.in != null && index.getKeys().size() == 1) {
                    keys.put(key.getKey(), new Document("$in", field.in));
                } else {
                    keys = null;
                    break;
                }
            }
            if (keys != null && index.canHandle(keys)) {
                return new Lookup(index, index.getPositions(keys));
            }
        }
        Scan best = null;
        int bestScore = 0;
        for (Index<Object> index : indexes) {
            if (index instanceof OrderedIndex ordered) {
                Scan scan = scan(ordered, fields, conditions.covered, orderBy);
                int score = (scan.equalKeys() + (scan.ranged() ? 1 : 0)) * 2 + (scan.sorted() && !unordered ? 1 : 0);
                if (score > bestScore) {
                    best = scan;
                    bestScore = score;
                }
            }
        }
        return best != null ? best : new CollectionScan(unordered);
    }

    private static Scan scan(OrderedIndex index, Map<String, Conditions.Field> fields, boolean coveredFilter,
            Document orderBy) {
        List<IndexKey> keys = index.getKeys();
        List<Object> equal = new ArrayList<>();
        int e = 0;
        while (e < keys.size() && fields.containsKey(keys.get(e).getKey()) && fields.get(keys.get(e).getKey()).hasEq) {
            equal.add(fields.get(keys.get(e).getKey()).eq);
            e++;
        }
        byte[] prefix = index.prefix(equal);
        Conditions.Field range = e < keys.size() ? fields.get(keys.get(e).getKey()) : null;
        boolean ranged = range != null && range.hasRange();
        // the first key in the range, and the first key above it (null: the end)
        byte[] low = prefix;
        byte[] upper = QueryPlan.successor(prefix);
        boolean exact = !ranged;
        if (ranged) {
            boolean ascending = keys.get(e).isAscending();
            Object first = ascending ? range.low : range.high;
            Object last = ascending ? range.high : range.low;
            Object typed = first != null ? first : last;
            byte[] from = first != null ? concat(prefix, part(first, ascending))
                    : concat(prefix, new byte[] { KeyCodec.tagAs(KeyCodec.tag(typed), ascending) });
            byte[] toPrefix = last != null ? concat(prefix, part(last, ascending))
                    : concat(prefix, new byte[] { KeyCodec.tagAs(KeyCodec.tag(typed), ascending) });
            boolean firstExclusive = ascending ? range.lowExclusive : range.highExclusive;
            boolean lastExclusive = ascending ? range.highExclusive : range.lowExclusive;
            // a key's encoding is never the start of another value's: past every key starting with it is past the value
            byte[] past = QueryPlan.successor(from);
            low = first != null && firstExclusive && past != null ? past : from;
            upper = last != null && lastExclusive ? toPrefix : QueryPlan.successor(toPrefix);
            // one type, in MongoDB's order: the range of bytes is the range of values
            exact = KeyCodec.ordered(typed) && (first == null || last == null || KeyCodec.tag(first) == KeyCodec.tag(last));
        }
        int direction = 0;
        boolean sorted = true;
        if (orderBy != null) {
            int next = e;
            for (Map.Entry<String, Object> sort : orderBy.entrySet()) {
                boolean boundEqual = keys.subList(0, e).stream().anyMatch(k -> k.getKey().equals(sort.getKey()));
                if (boundEqual) {
                    continue;
                }
                int asked = ((Number) sort.getValue()).intValue() < 0 ? -1 : 1;
                if (next >= keys.size() || !keys.get(next).getKey().equals(sort.getKey())) {
                    sorted = false;
                    break;
                }
                int relative = asked * (keys.get(next).isAscending() ? 1 : -1);
                if (direction != 0 && relative != direction) {
                    sorted = false;
                    break;
                }
                direction = relative;
                next++;
            }
        }
        int bound = Math.min(equal.size() + (ranged ? 1 : 0), keys.size());
        boolean covered = coveredFilter && exact && fields.keySet().stream()
                .allMatch(f -> keys.subList(0, bound).stream().anyMatch(k -> k.getKey().equals(f)));
        return new Scan(index, low, upper, sorted && direction < 0, sorted, covered, e, ranged);
    }

    private static byte[] part(Object value, boolean ascending) {
        var out = new java.io.ByteArrayOutputStream();
        KeyCodec.write(out, value, ascending);
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** The smallest key above every key that starts with {@code prefix}; null when there is none. */
    static byte[] successor(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xFF) {
                byte[] next = Arrays.copyOf(prefix, i + 1);
                next[i]++;
                return next;
            }
        }
        return null;
    }
}
