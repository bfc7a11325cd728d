package dev.handover.events;

import java.io.IOException;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/** Reads one payload type with {@link EventJson}; each record has a no-argument subclass for Kafka's config. */
public abstract class JsonDeserializer<T> implements Deserializer<T> {

    private final Class<T> type;

    protected JsonDeserializer(Class<T> type) {
        this.type = type;
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return EventJson.read(data, type);
        } catch (IOException e) {
            throw new SerializationException("Not a " + type.getSimpleName() + " on " + topic + ": " + e.getMessage(), e);
        }
    }
}
