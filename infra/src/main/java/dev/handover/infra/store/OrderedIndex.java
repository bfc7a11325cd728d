package dev.handover.infra.store;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.NoSuchElementException;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique index the wire server really keeps: a sorted MVStore map from the encoded key values (then the
 * document's {@code _id}, so entries are unique) to the document's position. It lives in the same store as the
 * documents and is committed with them. mongo-java-server accepts such indexes and ignores them, so every
 * query not on a unique key read the whole collection; {@link IndexedCollection} plans queries over these.
 */
final class OrderedIndex extends Index<Object> {

    private final MVMap<byte[], Object> entries;
    private final KeyPaths paths;

    OrderedIndex(MVMap<byte[], Object> entries, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.entries = entries;
        this.paths = new KeyPaths(keys);
    }

    /** The document's keys, read through {@link KeyPaths}. */
    @Override
    public Set<KeyValue> getKeyValues(Document document) {
        return paths.keys(document, super::getKeyValues);
    }

    /** The encoded values of {@code values}, one per leading key part. */
    byte[] prefix(List<Object> values) {
        var out = new ByteArrayOutputStream();
        for (int i = 0; i < values.size(); i++) {
            KeyCodec.write(out, values.get(i), getKeys().get(i).isAscending());
        }
        return out.toByteArray();
    }

    /**
     * Positions of the entries from {@code from} to before {@code upper} ({@code null}: the end), in key order or
     * reversed; lazily, so a query that needs the first fifty reads fifty entries.
     */
    Iterator<Object> positions(byte[] from, byte[] upper, boolean reverse) {
        Cursor<byte[], Object> cursor = entries.cursor(reverse ? upper : from, null, reverse);
        return new Iterator<>() {
            private Object next;

            @Override
            public boolean hasNext() {
                while (next == null && cursor.hasNext()) {
                    byte[] key = cursor.next();
                    boolean above = upper != null && Arrays.compareUnsigned(key, upper) >= 0;
                    boolean below = Arrays.compareUnsigned(key, from) < 0;
                    if (reverse ? below : above) {
                        return false;
                    }
                    if (!above && !below) {
                        next = cursor.getValue();
                    }
                }
                return next != null;
            }

            @Override
            public Object next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Object position = next;
                next = null;
                return position;
            }
        };
    }

    /**
     * How many entries lie from {@code from} to before {@code upper} ({@code null}: the end), without reading one: the
     * B-tree's pages know how many entries they hold, so the rank of each end is found in O(log n), whatever the range
     * holds.
     */
    long count(byte[] from, byte[] upper) {
        return Math.max(0, (upper == null ? entries.sizeAsLong() : rank(upper)) - rank(from));
    }

    /** How many entries sort before {@code key}. */
    private long rank(byte[] key) {
        long index = entries.getKeyIndex(key);
        return index >= 0 ? index : -index - 1;
    }

    private Set<byte[]> keysOf(Document document, Object position) {
        var keys = new LinkedHashSet<byte[]>();
        for (KeyValue value : getKeyValues(document)) {
            var out = new ByteArrayOutputStream();
            for (int i = 0; i < value.size(); i++) {
                KeyCodec.write(out, value.get(i), getKeys().get(i).isAscending());
            }
            KeyCodec.write(out, position, true);
            keys.add(out.toByteArray());
        }
        return keys;
    }

    private static Object positionOf(Document document) {
        return document.get("_id");
    }

    @Override
    public Object getPosition(Document document) {
        return null;
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        for (byte[] key : keysOf(document, position)) {
            entries.put(key, position);
        }
    }

    @Override
    public Object remove(Document document) {
        Object position = positionOf(document);
        for (byte[] key : keysOf(document, position)) {
            entries.remove(key);
        }
        return position;
    }

    @Override
    public boolean canHandle(Document query) {
        return false;
    }

    @Override
    public Iterable<Object> getPositions(Document query) {
        throw new UnsupportedOperationException("planned by IndexedCollection");
    }

    @Override
    public long getCount() {
        return entries.sizeAsLong();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position,
            MongoCollection<Object> collection) {
        if (nullAwareEqualsKeys(oldDocument, newDocument)) {
            return;
        }
        for (byte[] key : keysOf(oldDocument, position)) {
            entries.remove(key);
        }
        add(newDocument, position, collection);
    }

    @Override
    public void drop() {
        entries.clear();
    }
}
