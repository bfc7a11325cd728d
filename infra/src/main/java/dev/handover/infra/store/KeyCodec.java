package dev.handover.infra.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Json;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * Encodes index key values as bytes whose unsigned order is MongoDB's order for the types we index (null and
 * missing alike, then numbers, strings, object ids, booleans, dates), so an index is a sorted map of byte
 * strings and a range of keys is a range of bytes. Every encoding is prefix-free, so a descending key is the
 * same bytes inverted and a compound key is the concatenation of its parts.
 */
final class KeyCodec {

    static final byte NULL = 0x05;
    static final byte NUMBER = 0x10;
    static final byte STRING = 0x20;
    static final byte OBJECT_ID = 0x70;
    static final byte BOOLEAN = (byte) 0x80;
    static final byte DATE = (byte) 0x90;
    /** Any other value (documents, arrays, binary): equal values encode equally, their order is not MongoDB's. */
    static final byte OTHER = (byte) 0xE0;
    /** Above every encoded value: appended to a prefix it bounds all keys that start with that prefix. */
    static final byte[] AFTER = { (byte) 0xFF, (byte) 0xFF };

    private KeyCodec() {
    }

    /** Whether values of this kind have MongoDB's order in their encoding (so a range over them is exact). */
    static boolean ordered(Object value) {
        return tag(value) != OTHER;
    }

    static byte tag(Object value) {
        if (value == null || value instanceof Missing) {
            return NULL;
        } else if (value instanceof Number || value instanceof Decimal128) {
            return NUMBER;
        } else if (value instanceof String) {
            return STRING;
        } else if (value instanceof ObjectId) {
            return OBJECT_ID;
        } else if (value instanceof Boolean) {
            return BOOLEAN;
        } else if (value instanceof Instant || value instanceof Date) {
            return DATE;
        }
        return OTHER;
    }

    /** Appends the encoding of {@code value}, inverted when the key part is descending. */
    static void write(ByteArrayOutputStream out, Object value, boolean ascending) {
        int start = out.size();
        ByteArrayOutputStream part = ascending ? out : new ByteArrayOutputStream();
        byte tag = tag(value);
        part.write(tag);
        switch (tag) {
            case NULL -> {
            }
            case NUMBER -> writeLong(part, orderedBits(value instanceof Decimal128 d ? d.toBigDecimal().doubleValue()
                    : ((Number) value).doubleValue()));
            case STRING -> writeString(part, (String) value);
            case OBJECT_ID -> part.writeBytes(((ObjectId) value).toByteArray());
            case BOOLEAN -> part.write(((Boolean) value) ? 1 : 0);
            case DATE -> writeLong(part, (value instanceof Instant i ? i.toEpochMilli() : ((Date) value).getTime())
                    ^ Long.MIN_VALUE);
            default -> writeString(part, Json.toCompactJsonValue(value));
        }
        if (!ascending) {
            byte[] bytes = ((ByteArrayOutputStream) part).toByteArray();
            for (byte b : bytes) {
                out.write(~b);
            }
        }
        assert out.size() > start;
    }

    /** The first byte of every encoding of a value of this kind, as stored for that direction. */
    static byte tagAs(byte tag, boolean ascending) {
        return ascending ? tag : (byte) ~tag;
    }

    private static long orderedBits(double value) {
        long bits = Double.doubleToLongBits(value == 0.0 ? 0.0 : value);
        return bits < 0 ? ~bits : bits ^ Long.MIN_VALUE;
    }

    private static void writeLong(ByteArrayOutputStream out, long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
    }

    /** UTF-8 with 0x00 escaped as 0x00 0x01, ended by 0x00 0x00: shorter strings sort first, as they should. */
    private static void writeString(ByteArrayOutputStream out, String value) {
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            out.write(b);
            if (b == 0) {
                out.write(1);
            }
        }
        out.write(0);
        out.write(0);
    }
}
