package dev.handover.messenger.messaging;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Spans;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import dev.handover.messenger.service.SendService;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * The Kafka edge of sending: each {@code messenger.outbound} record is sent (in order per conversation, in
 * parallel across conversations, see {@link SendLanes}) and its outcome published on {@code messenger.delivery}
 * before the record counts as done. The send is a span of the trace the record carries (the agent's command).
 */
public class OutboundConsumer {

    private static final Logger LOG = Logger.getLogger(OutboundConsumer.class);
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(30);

    private final SendService sender;
    private final SendLanes lanes;
    private final MutinyEmitter<DeliveryReport> reports;
    private final Spans spans;

    public OutboundConsumer(SendService sender, SendLanes lanes,
            @Channel("messenger-delivery") MutinyEmitter<DeliveryReport> reports, Spans spans) {
        this.spans = spans;
        this.sender = sender;
        this.lanes = lanes;
        this.reports = reports;
    }

    /**
     * Takes a record once the lanes admit it and returns: the send runs in its conversation's lane, and the record
     * is acknowledged (its offset committed) only when its outcome is published.
     */
    @Incoming("messenger-outbound")
    public CompletionStage<Void> receive(Message<OutboundMessage> record) {
        OutboundMessage message = record.getPayload();
        if (message == null || message.pageId() == null || message.customerId() == null) {
            LOG.warn("Skipping a messenger.outbound record that is not an OutboundMessage with a page and a customer");
            return record.ack();
        }
        String traceparent = record.getMetadata(IncomingKafkaRecordMetadata.class)
                .map(metadata -> TraceContext.of(metadata.getHeaders())).orElse(null);
        return lanes.admit().thenRun(() -> lanes.submit(message.pageId(), message.customerId(), () -> send(message, traceparent))
                .whenComplete((ignored, error) -> {
                    if (error == null) {
                        record.ack();
                    } else {
                        record.nack(error);
                    }
                }));
    }

    private void send(OutboundMessage message, String traceparent) {
        Span span = spans.kafka(Topics.MESSENGER_OUTBOUND, "send", SpanKind.CONSUMER, traceparent);
        if (span.isRecording()) {
            span.setAttribute("handover.message_id", message.messageId());
            span.setAttribute("handover.page_id", message.pageId());
            span.setAttribute("handover.customer_id", message.customerId());
        }
        try (Scope ignored = span.makeCurrent()) {
            DeliveryReport report = sendAndReport(message);
            span.setAttribute("handover.delivery_status", String.valueOf(report.status()));
            if (report.status() == DeliveryStatus.FAILED) {
                span.setStatus(StatusCode.ERROR, "send failed");
            }
        } finally {
            span.end();
        }
    }

    private DeliveryReport sendAndReport(OutboundMessage message) {
        putIfPresent("message_id", message.messageId());
        putIfPresent("customer_id", message.customerId());
        DeliveryReport report;
        try {
            report = sender.send(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending " + message.messageId(), e);
        } catch (RuntimeException e) {
            // never leave a message without an outcome: a fault of ours is a failed send, not a silent one
            LOG.errorf(e, "Sending %s failed unexpectedly", message.messageId());
            report = new DeliveryReport(message.messageId(), message.pageId(), message.customerId(), DeliveryStatus.FAILED,
                    null, null, null, "Internal error while sending: " + e, true, 0, Instant.now());
        } finally {
            MDC.remove("message_id");
            MDC.remove("customer_id");
        }
        reports.sendMessage(Message.of(report).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(Topics.conversationKey(report.pageId(), report.customerId())).build()))
                .await().atMost(REPORT_TIMEOUT);
        return report;
    }

    /** Log context for following one customer across services; absent values are left out. */
    private static void putIfPresent(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }
}
