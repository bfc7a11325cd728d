package dev.handover.infra.store;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;

/**
 * What a query filter says about each field, as far as an index can use it: an equal value, a range, a list
 * of values ({@code $in}), or something only a look at the document can decide. Conditions joined by
 * {@code $and} are flattened; {@code $or}, {@code $expr} and the like leave the filter not {@link #covered}.
 */
final class Conditions {

    /** What the filter says about one field. */
    static final class Field {
        boolean hasEq;
        Object eq;
        Object low;
        Object high;
        /** {@code $gt} rather than {@code $gte}. */
        boolean lowExclusive;
        /** {@code $lt} rather than {@code $lte}. */
        boolean highExclusive;
        List<?> in;
        /** Something besides an equal value (operators, embedded documents, regular expressions). */
        boolean other;

        boolean hasRange() {
            return low != null || high != null;
        }
    }

    final Map<String, Field> fields = new LinkedHashMap<>();
    /** Only equal values and ranges, nothing an index cannot answer by itself. */
    boolean covered = true;

    static Conditions of(Document query) {
        var conditions = new Conditions();
        if (query != null) {
            conditions.add(query);
        }
        return conditions;
    }

    private void add(Document query) {
        for (Map.Entry<String, Object> entry : query.entrySet()) {
            String key = entry.getKey();
            Object value = entry.getValue();
            if (key.equals("$and") && value instanceof Collection<?> parts) {
                for (Object part : parts) {
                    if (part instanceof Document document) {
                        add(document);
                    } else {
                        covered = false;
                    }
                }
            } else if (key.startsWith("$")) {
                covered = false;
            } else {
                addField(fields.computeIfAbsent(key, k -> new Field()), value);
            }
        }
    }

    private void addField(Field field, Object value) {
        if (value instanceof Document operators && !operators.isEmpty()
                && operators.keySet().stream().allMatch(k -> k.startsWith("$"))) {
            for (Map.Entry<String, Object> op : operators.entrySet()) {
                Object operand = op.getValue();
                switch (op.getKey()) {
                    case "$eq" -> equal(field, operand);
                    case "$gt", "$gte" -> {
                        if (simple(operand)) {
                            field.other |= field.low != null; // two lower bounds: not counted from the index
                            field.low = operand;
                            field.lowExclusive = op.getKey().equals("$gt");
                        } else {
                            field.other = true;
                        }
                    }
                    case "$lt", "$lte" -> {
                        if (simple(operand)) {
                            field.other |= field.high != null;
                            field.high = operand;
                            field.highExclusive = op.getKey().equals("$lt");
                        } else {
                            field.other = true;
                        }
                    }
                    case "$in" -> {
                        if (operand instanceof List<?> list && list.size() == 1) {
                            equal(field, list.get(0));
                        } else {
                            field.in = operand instanceof List<?> list ? list : null;
                            field.other = true;
                        }
                    }
                    default -> field.other = true;
                }
            }
        } else {
            equal(field, value);
        }
        covered &= !field.other;
    }

    private static void equal(Field field, Object value) {
        if (simple(value)) {
            field.hasEq = true;
            field.eq = value;
        } else {
            field.other = true;
        }
    }

    /** A value whose index encoding is MongoDB's order, and which matches only itself. */
    private static boolean simple(Object value) {
        return !(value instanceof Document || value instanceof Collection || value instanceof Pattern
                || value instanceof BsonRegularExpression) && KeyCodec.ordered(value);
    }
}
