package dev.handover.customer.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.handover.customer.service.InboundService;
import dev.handover.events.DeliveryReport;
import dev.handover.events.InboundEvent;
import dev.handover.events.Spans;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * The Kafka edge in: what customers did ({@code messenger.inbound}) and what became of our sends. A failure
 * (the database away) is retried with backoff for about half a minute, holding the partition so that the
 * conversation keeps its order; a record that still fails goes to the topic's dead-letter queue. Handling a record
 * is a span of the trace it carries (the webhook's, or the send's), so the writes and records it causes join it.
 */
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);
    private static final int ATTEMPTS = 10;

    private final InboundService inbound;
    private final Spans spans;

    public InboundConsumer(InboundService inbound, Spans spans) {
        this.inbound = inbound;
        this.spans = spans;
    }

    @Incoming("messenger-inbound")
    @Blocking
    public void inbound(ConsumerRecord<String, InboundEvent> record) {
        InboundEvent event = record.value();
        if (event == null) {
            LOG.warn("Skipping a messenger.inbound record that is not an InboundEvent");
            return;
        }
        Span span = processing(record, Topics.MESSENGER_INBOUND);
        if (span.isRecording()) {
            span.setAttribute("handover.page_id", event.pageId());
            span.setAttribute("handover.customer_id", event.customerId());
            span.setAttribute("handover.kind", String.valueOf(event.kind()).toLowerCase());
            if (event.mid() != null) {
                span.setAttribute("handover.mid", event.mid());
            }
        }
        putIfPresent("mid", event.mid());
        putIfPresent("customer_id", event.customerId());
        putIfPresent("page_id", event.pageId());
        try (Scope ignored = span.makeCurrent()) {
            withRetries("messenger.inbound " + event.eventId(), () -> inbound.handle(event));
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
            MDC.remove("mid");
            MDC.remove("customer_id");
            MDC.remove("page_id");
        }
    }

    @Incoming("messenger-delivery")
    @Blocking
    public void delivery(ConsumerRecord<String, DeliveryReport> record) {
        DeliveryReport report = record.value();
        if (report == null) {
            LOG.warn("Skipping a messenger.delivery record that is not a DeliveryReport");
            return;
        }
        Span span = processing(record, Topics.MESSENGER_DELIVERY);
        if (span.isRecording()) {
            span.setAttribute("handover.message_id", report.messageId());
            span.setAttribute("handover.delivery_status", String.valueOf(report.status()));
        }
        putIfPresent("message_id", report.messageId());
        try (Scope ignored = span.makeCurrent()) {
            withRetries("messenger.delivery " + report.messageId(), () -> inbound.delivery(report));
        } catch (RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
            throw e;
        } finally {
            span.end();
            MDC.remove("message_id");
        }
    }

    /** The span of handling one record, in the trace its headers name. */
    private Span processing(ConsumerRecord<String, ?> record, String topic) {
        Span span = spans.kafka(topic, "process", SpanKind.CONSUMER, TraceContext.of(record.headers()));
        if (span.isRecording()) {
            span.setAttribute("messaging.kafka.offset", record.offset());
        }
        return span;
    }

    private static void withRetries(String what, Runnable work) {
        long backoff = 200;
        for (int attempt = 1;; attempt++) {
            try {
                work.run();
                return;
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS) {
                    LOG.errorf("Giving up on %s after %d attempts: %s", what, attempt, e.toString());
                    throw e;
                }
                LOG.warnf("Attempt %d at %s failed, retrying in %d ms: %s", attempt, what, backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    /** Log context for following one customer across services; absent values are left out. */
    private static void putIfPresent(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }
}
