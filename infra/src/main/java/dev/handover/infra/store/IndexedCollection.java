package dev.handover.infra.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.Missing;
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

    /** Told of every document a write changed, with its state before and after ({@code null}: absent). */
    interface Changes {
        void changed(String namespace, Object position, Document before, Document after);
    }

    private final MVMap<Object, Document> data;
    private final Changes changes;

    IndexedCollection(MongoDatabase database, String name, CollectionOptions options, MVMap<Object, Document> data,
            MVMap<String, Object> meta, CursorRegistry cursors, Changes changes) {
        super(database, name, options, data, meta, cursors);
        this.data = data;
        this.changes = changes;
    }

    @Override
    protected Object addDocumentInternal(Document document) {
        Object position = super.addDocumentInternal(document);
        changes.changed(getFullName(), position, null, document);
        return position;
    }

    @Override
    protected void handleUpdate(Object position, Document oldDocument, Document newDocument) {
        super.handleUpdate(position, oldDocument, newDocument);
        changes.changed(getFullName(), position, oldDocument, newDocument);
    }

    @Override
    protected void removeDocument(Object position) {
        Document before = getDocument(position);
        super.removeDocument(position);
        changes.changed(getFullName(), position, before, null);
    }

    /**
     * Applies recorded changes again, in their order, to a store committed at any moment before or after them
     * (even in the middle of one write): first every index entry of every state the records and the store know
     * for each changed document is taken out, then each document's last recorded state is stored and indexed.
     */
    synchronized void recover(List<RedoLog.Change> recorded) {
        Map<Object, List<Document>> states = new LinkedHashMap<>();
        Map<Object, Document> last = new LinkedHashMap<>();
        for (RedoLog.Change change : recorded) {
            List<Document> known = states.computeIfAbsent(change.position(), p -> new ArrayList<>());
            Stream.of(change.before(), change.after()).filter(Objects::nonNull).forEach(known::add);
            last.put(change.position(), change.after());
        }
        states.forEach((position, known) -> {
            Document stored = data.get(Missing.ofNullable(position));
            if (stored != null) {
                known.add(stored);
            }
            for (Index<Object> index : getIndexes()) {
                for (Document state : known) {
                    if (index instanceof UniqueIndex unique) {
                        unique.removeAt(state, position);
                    } else {
                        index.remove(state);
                    }
                }
            }
        });
        last.forEach((position, state) -> {
            if (state == null) {
                data.remove(Missing.ofNullable(position));
                return;
            }
            data.put(Missing.ofNullable(position), state);
            for (Index<Object> index : getIndexes()) {
                index.add(state, position, this);
            }
        });
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
