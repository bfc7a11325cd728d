package dev.handover.infra.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Document;

/**
 * An index's key paths, split once. Upstream reads a document's key values by parsing every path again on every
 * call (and building a map, a stream and a list of the paths): a sixth of the infra process's profile samples
 * while customers arrive, since every write reads each index's keys of the old and the new document. Here a
 * document whose key values are plain values gives its one key directly, normalized as upstream normalizes them
 * (missing and null alike, every number a double); an array or a sub-document on a path is left to upstream
 * (several keys, or nested normalization), so both always agree.
 */
final class KeyPaths {

    /** Each key's path, or null when a path is one upstream rejects or interprets (left to it, errors included). */
    private final String[][] paths;

    KeyPaths(List<IndexKey> keys) {
        String[][] split = new String[keys.size()][];
        for (int i = 0; i < split.length; i++) {
            String key = keys.get(i).getKey();
            if (key.isEmpty() || key.startsWith(".") || key.endsWith(".") || key.contains("..") || key.contains("$")) {
                split = null;
                break;
            }
            split[i] = key.split("\\.");
        }
        this.paths = split;
    }

    /** The keys of {@code document}: its one key read here, or what {@code upstream} reads when this cannot. */
    Set<KeyValue> keys(Document document, Function<Document, Set<KeyValue>> upstream) {
        KeyValue single = single(document);
        return single != null ? Collections.singleton(single) : upstream.apply(document);
    }

    /** The one key of {@code document}, or null when upstream must read it (an array or a document on a path). */
    KeyValue single(Document document) {
        if (paths == null) {
            return null;
        }
        List<Object> values = new ArrayList<>(paths.length);
        for (String[] path : paths) {
            Object value = document;
            for (String field : path) {
                if (value instanceof Document part) {
                    value = part.get(field);
                } else if (value instanceof Collection) {
                    return null;
                } else {
                    value = null;
                    break;
                }
            }
            if (value instanceof Collection || value instanceof Map) {
                return null;
            }
            values.add(Missing.isNullOrMissing(value) ? null : normalized(value));
        }
        return new KeyValue(values);
    }

    /** As upstream normalizes a plain key value: every number a double, with no negative zero. */
    private static Object normalized(Object value) {
        if (value instanceof Number number) {
            double d = number.doubleValue();
            return d == 0.0 ? 0.0 : d;
        }
        return value;
    }
}
