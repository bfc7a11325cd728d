package dev.handover.infra.store;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/**
 * The wire server's store: mongo-java-server's H2 backend, with two changes that make it serve a busy
 * company's year. A write is committed to the store before it is answered (H2's own background commit runs
 * every second, so a process killed in between lost writes the client had been told succeeded; a committed
 * write survives a SIGKILL, surviving a power loss would need an fsync per write). And the non-unique indexes
 * the services create are really kept and used ({@link OrderedIndex}, {@link IndexedCollection}), answering
 * {@code explain} like MongoDB, where upstream ignores them and reads every document for every such query.
 * With no file it keeps everything in memory, for tests.
 */
public final class DurableH2Backend extends H2Backend {

    /**
     * Bytes of a B-tree page before it splits: every commit rewrites the pages it changed, documents included, so
     * small pages make a write's commit cheap (H2's default for files is 16 KiB).
     */
    private static final int PAGE_SPLIT_SIZE = 4 * 1024;

    /** Commands that change data or its shape. */
    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "create",
            "createindexes", "drop", "dropdatabase", "dropindexes", "renamecollection");

    /** Writes applied in memory so far, and how many of them the store file holds. */
    private final AtomicLong written = new AtomicLong();
    private long committed;
    private final Object committing = new Object();

    /** A store in {@code file}, or in memory when it is null. */
    public DurableH2Backend(String file) {
        super(new MVStore.Builder().fileName(file).pageSplitSize(PAGE_SPLIT_SIZE).open());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (WRITES.contains(command.toLowerCase(Locale.ROOT)) && !isInMemory()) {
            durable(written.incrementAndGet());
        }
        return answer;
    }

    /**
     * Returns once write number {@code mine} is in the store file. Group commit: one thread commits everything
     * written so far while the others wait, and those whose write that commit covered return without one, so
     * concurrent writers share commits and a lone writer waits for nobody.
     */
    private void durable(long mine) {
        synchronized (committing) {
            if (committed >= mine) {
                return;
            }
            long upTo = written.get();
            commit();
            committed = upTo;
        }
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName);
    }

    /**
     * A database of {@link IndexedCollection}s. An inner class: the superclass constructor already opens
     * collections and indexes, before any field of a subclass is set, so the store comes from the backend.
     */
    private final class Database extends H2Database {

        private static final String DOCUMENTS = "documents.";
        private static final String LEGACY_DOCUMENTS = "databases.";
        private static final String ORDERED = "._ordered_";
        private static final String UNIQUE = "._unique_";
        private static final String LEGACY_UNIQUE = "._index_";

        Database(String name) {
            super(name, getMvStore(), getCursorRegistry());
        }

        /**
         * The collection's documents as BSON in {@code documents.<ns>}; a store written by upstream keeps them
         * Java-serialized in {@code databases.<ns>}, copied over (and that map removed) the first time it opens.
         */
        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            MVStore store = getMvStore();
            MVMap<Object, Document> data = store.openMap(DOCUMENTS + fullName,
                    new MVMap.Builder<Object, Document>().valueType(BsonDocuments.INSTANCE));
            if (store.hasMap(LEGACY_DOCUMENTS + fullName)) {
                MVMap<Object, Document> legacy = store.openMap(LEGACY_DOCUMENTS + fullName);
                if (data.isEmpty()) {
                    legacy.forEach(data::put);
                }
                store.removeMap(legacy);
            }
            MVMap<String, Object> meta = store.openMap("meta." + fullName);
            return new IndexedCollection(this, collectionName, options, data, meta, cursorRegistry);
        }

        /** Keyed by bytes in {@code <ns>._unique_<name>}; upstream's map of the same index is dropped and rebuilt. */
        @Override
        protected Index<Object> openOrCreateUniqueIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            String legacy = getFullCollectionNamespace(collectionName) + LEGACY_UNIQUE + indexName;
            if (getMvStore().hasMap(legacy)) {
                // opened with its own types first: removing by name opens it with a type that cannot compare keys,
                // and the background writer compacting it meanwhile fails and closes the store
                getMvStore().removeMap(getMvStore().openMap(legacy));
            }
            return new UniqueIndex(getMvStore().openMap(indexMap(collectionName, UNIQUE, indexName),
                    new MVMap.Builder<byte[], Object>().keyType(ByteKeys.INSTANCE)), indexName, keys, sparse);
        }

        @Override
        public void dropCollection(String collectionName, Oplog oplog) {
            super.dropCollection(collectionName, oplog);
            String name = DOCUMENTS + getFullCollectionNamespace(collectionName);
            if (getMvStore().hasMap(name)) {
                getMvStore().removeMap(name);
            }
        }

        @Override
        public void moveCollection(MongoDatabase oldDatabase, MongoCollection<?> collection, String newCollectionName) {
            String oldName = DOCUMENTS + collection.getFullName();
            super.moveCollection(oldDatabase, collection, newCollectionName);
            getMvStore().renameMap(getMvStore().openMap(oldName), DOCUMENTS + getFullCollectionNamespace(newCollectionName));
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            MVMap<byte[], Object> entries = getMvStore().openMap(indexMap(collectionName, ORDERED, indexName),
                    new MVMap.Builder<byte[], Object>().keyType(ByteKeys.INSTANCE));
            return new OrderedIndex(entries, indexName, keys, sparse);
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String indexName) {
            super.dropIndex(collection, indexName);
            for (String kind : List.of(ORDERED, UNIQUE)) {
                String name = indexMap(collection.getCollectionName(), kind, indexName);
                if (getMvStore().hasMap(name)) {
                    getMvStore().removeMap(name);
                }
            }
        }

        private String indexMap(String collectionName, String kind, String indexName) {
            return getFullCollectionNamespace(collectionName) + kind + indexName;
        }

        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver resolver,
                Oplog oplog) {
            if (command.equalsIgnoreCase("explain")) {
                return Explain.answer(this::indexed, getDatabaseName(), query);
            }
            if (command.equalsIgnoreCase("aggregate")) {
                Document counted = Explain.count(this::indexed, getDatabaseName(), query);
                if (counted != null) {
                    return counted;
                }
            }
            return super.handleCommand(channel, command, query, resolver, oplog);
        }

        private IndexedCollection indexed(String collectionName) {
            return resolveCollection(collectionName, false) instanceof IndexedCollection c ? c : null;
        }
    }
}
