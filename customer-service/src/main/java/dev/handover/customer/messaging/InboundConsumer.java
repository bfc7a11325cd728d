package dev.handover.customer.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import dev.handover.customer.service.InboundService;
import dev.handover.events.DeliveryReport;
import dev.handover.events.InboundEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** The Kafka edge in: what customers did ({@code messenger.inbound}) and what became of our sends. */
public class InboundConsumer {

    private static final Logger LOG = Logger.getLogger(InboundConsumer.class);

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
        MDC.put("mid", event.mid());
        MDC.put("customer_id", event.customerId());
        MDC.put("page_id", event.pageId());
        try {
            inbound.handle(event);
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
        MDC.put("message_id", report.messageId());
        try {
            inbound.delivery(report);
        } finally {
            MDC.remove("message_id");
        }
    }
}
