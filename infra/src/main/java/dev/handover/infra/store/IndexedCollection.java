package dev.handover.infra.store;

import java.util.Iterator;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A collection whose queries use its indexes the way MongoDB does: a range of an {@link OrderedIndex} read
 * lazily in the order asked for, so the first page of a sorted list reads as many documents as it returns,
 * however many the collection holds. Every document found is still matched against the whole filter, so an
 * index only narrows what is read and never changes an answer.
 */
final class IndexedCollection extends H2Collection {

    IndexedCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
            MVMap<String, Object> meta, CursorRegistry cursors) {
        super(database, name, options, data, meta, cursors);
    }

    /** How {@code query} in the order {@code orderBy} is answered. */
    QueryPlan plan(Document query, Document orderBy) {
        if (orderBy != null && orderBy.containsKey("$natural")) {
            return new QueryPlan.CollectionScan(false);
        }
        return QueryPlan.choose(getIndexes(), query, orderBy);
    }

    @Override
    protected QueryResult queryDocuments(Document query, Document orderBy, int skip, int limit, int batchSize,
            Document fieldSelector) {
        QueryPlan plan = plan(query, orderBy);
        Iterator<Object> positions;
        if (plan instanceof QueryPlan.Lookup lookup) {
            positions = lookup.positions().iterator();
        } else if (plan instanceof QueryPlan.Scan scan) {
            positions = scan.positions();
        } else {
            return super.queryDocuments(query, orderBy, skip, limit, batchSize, fieldSelector);
        }
        Stream<Document> documents = StreamSupport
                .stream(Spliterators.spliteratorUnknownSize(positions, Spliterator.ORDERED), false)
                .map(this::getDocument).filter(Objects::nonNull);
        boolean inOrder = plan instanceof QueryPlan.Scan && plan.sorted();
        return matchDocumentsFromStream(query, documents, skip, limit, batchSize,
                inOrder ? null : deriveComparator(orderBy), fieldSelector);
    }

    /** How many documents match, counted from index entries alone when the index answers the whole filter. */
    synchronized long count(Document query, long skip, long limit) {
        long n = plan(query, null) instanceof QueryPlan.Scan scan && scan.covered() ? scan.count()
                : super.count(query, 0, 0);
        n = Math.max(0, n - skip);
        return limit > 0 ? Math.min(n, limit) : n;
    }
}
