package dev.handover.customer.messaging;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

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
        inbound.handle(event);
    }

    @Incoming("messenger-delivery")
    @Blocking
    public void delivery(DeliveryReport report) {
        if (report == null) {
            LOG.warn("Skipping a messenger.delivery record that is not a DeliveryReport");
            return;
        }
        inbound.delivery(report);
    }
}
