package dev.handover.infra.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * company's year. A write is in a file before it is answered, so a SIGKILL loses nothing answered: the change
 * of each document is appended to a {@link RedoLog}, and the store is committed once a second, after which
 * those records are dropped; committing the store for
 * every write instead cost most of the server's time, every commit writing again the B-tree pages each write
 * touched in a dozen indexes. And the non-unique indexes the services create are really kept and used
 * ({@link OrderedIndex}, {@link IndexedCollection}), answering {@code explain} like MongoDB, where upstream ignores
 * them and reads every document for every such query. With no file it keeps everything in memory, for tests.
 */
public final class DurableH2Backend extends H2Backend {

    private static final Logger LOG = LoggerFactory.getLogger(DurableH2Backend.class);

    /**
     * Bytes of a B-tree page before it splits: every commit rewrites the pages it changed, documents included, so
     * small pages make a write's commit cheap (H2's default for files is 16 KiB).
     */
    private static final int PAGE_SPLIT_SIZE = 4 * 1024;

    /**
     * The store file's page cache, in MiB of H2's own estimate, which counts a document as {@link BsonDocuments}' 512
     * bytes (about its BSON size, the unit pages split by) while decoded it takes five to seven times that, so H2's
     * default of 16 may hold about 120 MiB; 4 holds at most about 30 MiB (alternated with 16 on a 100,000-customer
     * store: heap after GC 53 against 63-70 MiB, lists and intake level within the noise).
     */
    public static final int DEFAULT_PAGE_CACHE_MB = 4;

    /** How often the store is committed and the redo records it then holds dropped. */
    public static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

    /**
     * Chunks fuller than this are left alone; sparser ones (documents rewritten many times, presence reports) are
     * rewritten by the compaction that follows a checkpoint, so that their space is used again.
     */
    private static final int COMPACT_FILL_RATE = 80;
    /**
     * About this many bytes rewritten by one compaction (H2 writes at least this much once it starts), the pause it
     * puts on every command: 4 MiB held commands for up to 270 ms under load, once a second.
     */
    private static final int COMPACT_WRITE_BYTES = 512 * 1024;

    /** Commands that change documents: their changes are recorded before they are answered. */
    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify");

    /** Commands that change the shape of the data: the store is committed before they are answered. */
    private static final Set<String> SHAPES = Set.of("create", "createindexes", "drop", "dropdatabase", "dropindexes",
            "renamecollection");

    private final RedoLog redo;
    private final ScheduledExecutorService checkpoints;

    /** A store in {@code file}, or in memory when it is null, committed every {@link #CHECKPOINT_INTERVAL}. */
    public DurableH2Backend(String file) {
        this(file, CHECKPOINT_INTERVAL, DEFAULT_PAGE_CACHE_MB);
    }

    /** A store in {@code file} with a page cache of {@code cacheMb} (see {@link #DEFAULT_PAGE_CACHE_MB}). */
    public DurableH2Backend(String file, int cacheMb) {
        this(file, CHECKPOINT_INTERVAL, cacheMb);
    }

    /**
     * A store in {@code file} (in memory when null) committed every {@code checkpoints}; what a process killed
     * before its last checkpoint had answered is applied again first.
     */
    public DurableH2Backend(String file, Duration checkpoints) {
        this(file, checkpoints, DEFAULT_PAGE_CACHE_MB);
    }

    private DurableH2Backend(String file, Duration checkpoints, int cacheMb) {
        super(file == null ? new MVStore.Builder().pageSplitSize(PAGE_SPLIT_SIZE).open() : store(file, cacheMb));
        if (file == null) {
            this.redo = null;
            this.checkpoints = null;
            return;
        }
        try {
            recover(Path.of(file));
            this.redo = RedoLog.open(Path.of(file));
            redo.dropBefore(redo.current());
        } catch (IOException e) {
            throw new UncheckedIOException("Redo log of " + file + " unreadable", e);
        }
        this.checkpoints = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "store-checkpoint");
            thread.setDaemon(true);
            return thread;
        });
        long every = checkpoints.toMillis();
        this.checkpoints.scheduleWithFixedDelay(this::checkpoint, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * A store file without H2's background writer: it would commit and compact the file while commands read and
     * write, and H2 2.4's compaction under concurrent reads and writes can fail and close the store, leaving the file
     * unreadable ("Illegal page length", seen here after a few hundred thousand presence reports; h2database PR
     * 4374 fixes one such race). Commits are the checkpoints', compaction runs with no command running.
     */
    private static MVStore store(String file, int cacheMb) {
        return new MVStore.Builder().fileName(file).pageSplitSize(PAGE_SPLIT_SIZE).cacheSize(cacheMb)
                .autoCommitDisabled().open();
    }

    /** Applies the records a killed process left (by collection, in their order) and commits them. */
    private void recover(Path file) throws IOException {
        List<RedoLog.Change> changes = RedoLog.recorded(file);
        if (changes.isEmpty()) {
            return;
        }
        Map<String, List<RedoLog.Change>> byCollection = new LinkedHashMap<>();
        changes.forEach(c -> byCollection.computeIfAbsent(c.namespace(), n -> new ArrayList<>()).add(c));
        byCollection.forEach((namespace, recorded) -> {
            int dot = namespace.indexOf('.');
            IndexedCollection collection = resolveDatabase(namespace.substring(0, dot)) instanceof Database database
                    ? database.indexed(namespace.substring(dot + 1)) : null;
            if (collection == null) {
                LOG.warn("{} recorded changes of {}, which no longer exists, skipped", recorded.size(), namespace);
            } else {
                collection.recover(recorded);
            }
        });
        getMvStore().commit();
        LOG.warn("{} changes answered before the process stopped without a checkpoint applied again", changes.size());
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        String name = command.toLowerCase(Locale.ROOT);
        boolean write = WRITES.contains(name);
        if (redo == null) {
            return super.handleCommand(channel, databaseName, command, query);
        }
        // a write into a collection that does not exist yet creates it: a change of shape too
        boolean shape = SHAPES.contains(name) || write && (!(query.get(command) instanceof String collection)
                || !(resolveDatabase(databaseName) instanceof Database database) || database.indexed(collection) == null);
        Document answer;
        Lock running = redo.command();
        running.lock();
        try {
            answer = super.handleCommand(channel, databaseName, command, query);
        } finally {
            try {
                if (write || shape) {
                    redo.write();
                }
            } finally {
                running.unlock();
            }
        }
        if (shape) {
            checkpoint(true);
        }
        return answer;
    }

    /** Called by a collection for each document it changed, before the command that changed it is answered. */
    void changed(String namespace, Object position, Document before, Document after) {
        if (redo != null) {
            redo.append(namespace, position, before, after);
        }
    }

    private void checkpoint() {
        try {
            checkpoint(false);
        } catch (RuntimeException e) {
            LOG.warn("Store checkpoint failed, the redo log keeps the changes", e);
        }
    }

    private void checkpoint(boolean always) {
        try {
            if (redo.checkpoint(() -> getMvStore().commit(), always)
                    && getMvStore().getFileStore().getChunksFillRate() < COMPACT_FILL_RATE) {
                // reads too wait for it: H2 rewrites chunks safely only when nothing else touches the store (and
                // the lock is not taken when there is nothing to rewrite: commands queue behind a waiting writer)
                redo.exclusively(() -> getMvStore().compact(COMPACT_FILL_RATE, COMPACT_WRITE_BYTES));
                // the pages it rewrote are in memory until a commit saves them: the next checkpoint commits only if
                // something was written, hours later on a quiet night, and they held 100 MiB of decoded documents
                if (getMvStore().hasUnsavedChanges()) {
                    getMvStore().commit();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (redo != null) {
            checkpoints.shutdownNow();
            checkpoint();
            try {
                redo.close();
            } catch (IOException e) {
                LOG.warn("Redo log not closed", e);
            }
        }
        super.close();
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
            return new IndexedCollection(this, collectionName, options, data, meta, cursorRegistry,
                    DurableH2Backend.this::changed);
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
