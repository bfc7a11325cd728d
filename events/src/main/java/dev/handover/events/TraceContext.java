package dev.handover.events;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;

/**
 * A trace's place (W3C {@code traceparent}) where no framework carries it: on the Kafka records the outbox and the
 * webhook spool publish with their own producer, on a spooled webhook body, on an outbox record stored with the change
 * that owes it. A string, so that it can be stored with them; {@code null} when no span is recording, so that tracing
 * switched off stores and sends nothing more.
 */
public final class TraceContext {

    /** The W3C header (HTTP) and Kafka record header name. */
    public static final String HEADER = "traceparent";

    private static final TextMapGetter<String> ONE_VALUE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(HEADER);
        }

        @Override
        public String get(String carrier, String key) {
            return HEADER.equals(key) ? carrier : null;
        }
    };

    private TraceContext() {
    }

    /** The current span as a {@code traceparent}, or {@code null} when none is recording. */
    public static String current() {
        return of(Span.current().getSpanContext());
    }

    /** {@code span} as a {@code traceparent}, or {@code null} when it is not a valid span context. */
    public static String of(SpanContext span) {
        return span.isValid() ? "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getTraceFlags().asHex()
                : null;
    }

    /** The context to start a child span in: the remote parent {@code traceparent} names, or none. */
    public static Context parent(String traceparent) {
        return traceparent == null ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, ONE_VALUE);
    }

    /** The {@code traceparent} header of a Kafka record, or {@code null}. */
    public static String of(Headers headers) {
        Header header = headers == null ? null : headers.lastHeader(HEADER);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.US_ASCII);
    }

    /** Sets the record's {@code traceparent} header, unless {@code traceparent} is {@code null}. */
    public static void put(Headers headers, String traceparent) {
        if (traceparent != null) {
            headers.remove(HEADER);
            headers.add(HEADER, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
    }
}
