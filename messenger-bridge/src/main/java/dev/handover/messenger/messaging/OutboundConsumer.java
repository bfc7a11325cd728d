package dev.handover.messenger.messaging;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.messenger.service.SendService;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * The Kafka edge of sending: each {@code messenger.outbound} record is sent (in order per conversation, which
 * is per partition) and its outcome published on {@code messenger.delivery} before the record counts as done.
 */
public class OutboundConsumer {

    private static final Logger LOG = Logger.getLogger(OutboundConsumer.class);
    private static final Duration REPORT_TIMEOUT = Duration.ofSeconds(30);

    private final SendService sender;
    private final MutinyEmitter<DeliveryReport> reports;

    public OutboundConsumer(SendService sender, @Channel("messenger-delivery") MutinyEmitter<DeliveryReport> reports) {
        this.sender = sender;
        this.reports = reports;
    }

    @Incoming("messenger-outbound")
    @Blocking
    public void send(OutboundMessage message) throws InterruptedException {
        if (message == null) {
            LOG.warn("Skipping a messenger.outbound record that is not an OutboundMessage");
            return;
        }
        putIfPresent("message_id", message.messageId());
        putIfPresent("customer_id", message.customerId());
        DeliveryReport report;
        try {
            report = sender.send(message);
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
    }

    /** Log context for following one customer across services; absent values are left out. */
    private static void putIfPresent(String key, String value) {
        if (value != null) {
            MDC.put(key, value);
        }
    }
}
