package dev.handover.customer.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.handover.customer.service.PresenceService;
import dev.handover.events.PresenceReport;
import io.smallrye.reactive.messaging.annotations.Blocking;

/** The Kafka edge of presence: every gateway instance's reports of who is connected there. */
@ApplicationScoped
public class PresenceConsumer {

    private final PresenceService presence;

    public PresenceConsumer(PresenceService presence) {
        this.presence = presence;
    }

    @Incoming("staff-presence")
    @Blocking
    public void report(PresenceReport report) {
        if (report != null) {
            presence.report(report);
        }
    }
}
