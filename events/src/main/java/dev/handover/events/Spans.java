package dev.handover.events;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Starts the spans Handover makes by hand, where no framework sees the work (the webhook spool, the outbox, the
 * batched broadcast, the JDK HTTP clients), and only while tracing is on: switched off, no span is made, so nothing
 * is recorded, stored with a record or sent in a header.
 */
public final class Spans {

    private final Tracer tracer;

    public Spans(OpenTelemetry telemetry, boolean on) {
        this.tracer = on ? telemetry.getTracer("dev.handover") : null;
    }

    /** Whether spans are made. */
    public boolean on() {
        return tracer != null;
    }

    /** A span under the current one (a root span when there is none); an invalid, inert span when tracing is off. */
    public Span start(String name, SpanKind kind) {
        return start(name, kind, Context.current());
    }

    /**
     * A span of work on a Kafka record of {@code topic} ({@code "<topic> <operation>"}), in the trace the record's
     * {@code traceparent} names (a new one without), with the messaging attributes; inert when tracing is off.
     */
    public Span kafka(String topic, String operation, SpanKind kind, String traceparent) {
        Span span = start(topic + " " + operation, kind, TraceContext.parent(traceparent));
        if (span.isRecording()) {
            span.setAttribute("messaging.system", "kafka");
            span.setAttribute("messaging.destination.name", topic);
        }
        return span;
    }

    /** A span under {@code parent}; an invalid, inert span when tracing is off. */
    public Span start(String name, SpanKind kind, Context parent) {
        return tracer == null ? Span.getInvalid() : tracer.spanBuilder(name).setSpanKind(kind).setParent(parent).startSpan();
    }
}
