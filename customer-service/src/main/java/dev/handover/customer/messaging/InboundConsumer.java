package dev.handover.customer.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.handover.customer.service.InboundService;
import dev.handover.events.DeliveryReport;
import dev.handover.events.InboundEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;

/**
 * The Kafka edge in: what customers did ({@code messenger.inbound}) and what became of our sends. A failure
 * (the database away) is retried with backoff for about half a minute, holding the partition so that the
 * conversation keeps its order; a record that still fails goes to the topic's dead-letter queue.
 */
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);
    private static final int ATTEMPTS = 10;

    private final InboundService inbound;

    public InboundConsumer(InboundService inbound) {
        this.inbound = inbound;
    }

    @Incoming("messenger-inbound")
    @Blocking
    public void inbound(InboundEvent event) {
        if (event == null) {
            LOG.warn("Skipping a messenger.inbound record that is not an InboundEvent");
            return;
        }
        putIfPresent("mid", event.mid());
        putIfPresent("customer_id", event.customerId());
        putIfPresent("page_id", event.pageId());
        try {
            withRetries("messenger.inbound " + event.eventId(), () -> inbound.handle(event));
        } finally {
            MDC.remove("mid");
            MDC.remove("customer_id");
            MDC.remove("page_id");
        }
    }

    @Incoming("messenger-delivery")
    @Blocking
    public void delivery(DeliveryReport report) {
        if (report == null) {
            LOG.warn("Skipping a messenger.delivery record that is not a DeliveryReport");
            return;
        }
        putIfPresent("message_id", report.messageId());
        try {
            withRetries("messenger.delivery " + report.messageId(), () -> inbound.delivery(report));
        } finally {
            MDC.remove("message_id");
        }
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
