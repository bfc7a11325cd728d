package dev.handover.customer.model;

import org.bson.codecs.pojo.annotations.BsonProperty;

import dev.handover.events.TraceContext;

/**
 * A record that a change of a customer owes the world (a Kafka record, a message for the history, an audit entry), kept inside
 * the customer document until it is delivered: the outbox, without needing multi-document transactions. It keeps
 * the trace of the work that decided it, so that its delivery, however late, continues that trace.
 */
public class PendingRecord {

    /** Where it goes: a Kafka topic, {@link #MESSAGES} or {@link #AUDIT_LOG}. */
    public static final String AUDIT_LOG = "audit_log";
    /** The conversation history: stored before any Kafka record of the same delivery is published. */
    public static final String MESSAGES = "messages";

    @BsonProperty("record_id")
    public String recordId;
    public String target;
    public String key;
    /** The JSON to deliver. */
    public String payload;
    /** W3C {@code traceparent} of the deciding work; {@code null} when tracing is off. */
    public String traceparent;

    public PendingRecord() {
    }

    public PendingRecord(String recordId, String target, String key, String payload) {
        this.recordId = recordId;
        this.target = target;
        this.key = key;
        this.payload = payload;
        this.traceparent = TraceContext.current();
    }
}
