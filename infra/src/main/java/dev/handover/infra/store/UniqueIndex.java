package dev.handover.infra.store;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.Map.Entry;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A unique index (the {@code _id} index among them) keyed by {@link KeyCodec} bytes. Upstream keys it by
 * serialized Java objects and compares two keys by serializing both, which was a third of the wire server's
 * CPU under load. Equal values and {@code $in} lists are looked up as upstream does; a regular expression on
 * the key is left to a collection scan.
 */
final class UniqueIndex extends AbstractUniqueIndex<Object> {

    private final MVMap<byte[], Object> entries;
    private final KeyPaths paths;

    UniqueIndex(MVMap<byte[], Object> entries, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.entries = entries;
        this.paths = new KeyPaths(keys);
    }

    /** The document's keys, read through {@link KeyPaths}. */
    @Override
    public Set<KeyValue> getKeyValues(Document document) {
        return paths.keys(document, super::getKeyValues);
    }

    private static byte[] key(KeyValue value) {
        var out = new ByteArrayOutputStream();
        for (Object part : value) {
            KeyCodec.write(out, part, true);
        }
        return out.toByteArray();
    }

    /** Takes out the entries of {@code document}'s keys that name {@code position}, leaving any other's. */
    void removeAt(Document document, Object position) {
        for (KeyValue value : getKeyValues(document)) {
            entries.remove(key(value), Missing.ofNullable(position));
        }
    }

    @Override
    protected Object removeDocument(KeyValue keyValue) {
        return entries.remove(key(keyValue));
    }

    @Override
    protected boolean putKeyPosition(KeyValue keyValue, Object position) {
        return entries.putIfAbsent(key(keyValue), Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Entry<KeyValue, Object>> getIterable() {
        throw new UnsupportedOperationException("regular expressions on " + getName() + " are answered by a scan");
    }

    @Override
    protected Object getPosition(KeyValue keyValue) {
        return entries.get(key(keyValue));
    }

    @Override
    public synchronized boolean canHandle(Document query) {
        return query.values().stream().noneMatch(BsonRegularExpression::isRegularExpression) && super.canHandle(query);
    }

    @Override
    public long getCount() {
        return entries.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public void drop() {
        entries.clear();
    }
}
