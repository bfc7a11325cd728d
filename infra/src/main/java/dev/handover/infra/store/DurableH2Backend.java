package dev.handover.infra.store;

import java.util.List;
import java.util.Locale;
import java.util.Set;

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

    /** Commands that change data or its shape. */
    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "create",
            "createindexes", "drop", "dropdatabase", "dropindexes", "renamecollection");

    /** A store in {@code file}, or in memory when it is null. */
    public DurableH2Backend(String file) {
        super(MVStore.open(file));
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (WRITES.contains(command.toLowerCase(Locale.ROOT)) && !isInMemory()) {
            commit();
        }
        return answer;
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

        private static final String ORDERED = "._ordered_";

        Database(String name) {
            super(name, getMvStore(), getCursorRegistry());
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            MVMap<Object, Document> data = getMvStore().openMap("databases." + fullName);
            MVMap<String, Object> meta = getMvStore().openMap("meta." + fullName);
            return new IndexedCollection(this, collectionName, options, data, meta, cursorRegistry);
        }

        @Override
        protected Index<Object> openOrCreateSecondaryIndex(String collectionName, String indexName, List<IndexKey> keys,
                boolean sparse) {
            MVMap<byte[], Object> entries = getMvStore().openMap(orderedMap(collectionName, indexName),
                    new MVMap.Builder<byte[], Object>().keyType(ByteKeys.INSTANCE));
            return new OrderedIndex(entries, indexName, keys, sparse);
        }

        @Override
        protected void dropIndex(MongoCollection<Object> collection, String indexName) {
            super.dropIndex(collection, indexName);
            String name = orderedMap(collection.getCollectionName(), indexName);
            if (getMvStore().hasMap(name)) {
                getMvStore().removeMap(name);
            }
        }

        private String orderedMap(String collectionName, String indexName) {
            return getFullCollectionNamespace(collectionName) + ORDERED + indexName;
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
