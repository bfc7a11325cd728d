package dev.handover.infra.store;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.MongoServerError;

/**
 * The two commands the wire server answers from its query plans: {@code explain} (in MongoDB's terms, so a test
 * can check on either server that a query reads an index and sorts nothing in memory) and the aggregation the
 * drivers send for {@code countDocuments}, counted from index entries when an index answers the whole filter.
 */
final class Explain {

    private Explain() {
    }

    static Document answer(Function<String, IndexedCollection> collections, String database, Document query) {
        if (!(query.get("explain") instanceof Document command) || command.isEmpty()) {
            throw new MongoServerError(2, "explain needs a command document");
        }
        String verb = command.keySet().iterator().next();
        String name = String.valueOf(command.get(verb));
        IndexedCollection collection = collections.apply(name);
        Document plan = switch (verb.toLowerCase(java.util.Locale.ROOT)) {
            case "find" -> describe(collection, doc(command.get("filter")), doc(command.get("sort")));
            case "count" -> stage("COUNT", describe(collection, doc(command.get("query")), null));
            case "distinct" -> describe(collection, doc(command.get("query")), null);
            case "findandmodify" -> stage("FIND_AND_MODIFY", describe(collection, doc(command.get("query")),
                    doc(command.get("sort"))));
            case "update" -> stage("UPDATE", describe(collection, doc(first(command, "updates").get("q")), null));
            case "delete" -> stage("DELETE", describe(collection, doc(first(command, "deletes").get("q")), null));
            case "aggregate" -> aggregate(collection, pipeline(command));
            default -> throw new MongoServerError(2, "explain of " + verb + " is not supported");
        };
        Document answer = new Document("queryPlanner", new Document("namespace", database + "." + name)
                .append("winningPlan", plan));
        Utils.markOkay(answer);
        return answer;
    }

    /** The answer to a {@code countDocuments} aggregation, or null when {@code query} is some other one. */
    static Document count(Function<String, IndexedCollection> collections, String database, Document query) {
        String name = String.valueOf(query.get("aggregate"));
        IndexedCollection collection = collections.apply(name);
        List<Document> pipeline = pipeline(query);
        Counting counting = collection == null ? null : Counting.of(pipeline);
        if (counting == null) {
            return null;
        }
        long n = collection.count(counting.filter(), counting.skip(), counting.limit());
        List<Document> batch = n == 0 ? List.of()
                : List.of(new Document("_id", counting.id()).append(counting.field(), n > Integer.MAX_VALUE ? n : (int) n));
        Document cursor = new Document("id", 0L).append("ns", database + "." + name).append("firstBatch", batch);
        Document answer = new Document("cursor", cursor);
        Utils.markOkay(answer);
        return answer;
    }

    /** {@code [$match, ($skip), ($limit), $group {_id: <constant>, <field>: {$sum: 1}}]}. */
    private record Counting(Document filter, long skip, long limit, Object id, String field) {

        static Counting of(List<Document> pipeline) {
            if (pipeline.size() < 2 || !(pipeline.get(0).get("$match") instanceof Document filter)) {
                return null;
            }
            long skip = 0;
            long limit = 0;
            for (Document stage : pipeline.subList(1, pipeline.size() - 1)) {
                if (stage.get("$skip") instanceof Number n && limit == 0) {
                    skip = n.longValue();
                } else if (stage.get("$limit") instanceof Number n) {
                    limit = n.longValue();
                } else {
                    return null;
                }
            }
            if (!(pipeline.get(pipeline.size() - 1).get("$group") instanceof Document group) || group.size() != 2
                    || group.get("_id") instanceof Document || group.get("_id") instanceof String) {
                return null;
            }
            for (Map.Entry<String, Object> accumulator : group.entrySet()) {
                if (!accumulator.getKey().equals("_id")) {
                    boolean sumOfOnes = accumulator.getValue() instanceof Document sum && sum.size() == 1
                            && sum.get("$sum") instanceof Number one && one.intValue() == 1;
                    return sumOfOnes ? new Counting(filter, skip, limit, group.get("_id"), accumulator.getKey()) : null;
                }
            }
            return null;
        }
    }

    private static Document aggregate(IndexedCollection collection, List<Document> pipeline) {
        Document filter = !pipeline.isEmpty() && pipeline.get(0).get("$match") instanceof Document match ? match : null;
        Document sort = null;
        if (pipeline.size() > (filter == null ? 0 : 1)) {
            Document next = pipeline.get(filter == null ? 0 : 1);
            sort = next.get("$sort") instanceof Document s ? s : null;
        }
        if (collection != null && Counting.of(pipeline) != null) {
            QueryPlan plan = collection.plan(filter, null);
            return stage("COUNT", plan instanceof QueryPlan.Scan scan ? scan.describeCount() : plan.describe());
        }
        return describe(collection, filter == null ? new Document() : filter, sort);
    }

    private static Document describe(IndexedCollection collection, Document filter, Document sort) {
        if (collection == null) {
            return new Document("stage", "EOF");
        }
        return QueryPlan.describe(collection.plan(filter, sort), sort);
    }

    private static Document stage(String name, Document input) {
        return new Document("stage", name).append("inputStage", input);
    }

    @SuppressWarnings("unchecked")
    private static List<Document> pipeline(Document command) {
        return command.get("pipeline") instanceof List<?> list ? (List<Document>) list : List.of();
    }

    private static Document first(Document command, String key) {
        return command.get(key) instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Document d ? d
                : new Document();
    }

    private static Document doc(Object value) {
        return value instanceof Document d ? d : new Document();
    }
}
