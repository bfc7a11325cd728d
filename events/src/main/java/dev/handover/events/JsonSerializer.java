package dev.handover.events;

import org.apache.kafka.common.serialization.Serializer;

/** Writes any payload record with {@link EventJson}; configure it as {@code value.serializer}. */
public final class JsonSerializer implements Serializer<Object> {

    @Override
    public byte[] serialize(String topic, Object data) {
        return data == null ? null : EventJson.write(data);
    }
}
