package dev.handover.customer.messaging;

import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.handover.customer.service.WebhookService;
import dev.handover.events.CustomerEvent;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * The Kafka edge of outbound webhooks: every broadcast of {@code customer.events} (its own consumer group) becomes
 * the deliveries it owes, stored before the record counts as read; while the database is away the record is
 * retried, in order, rather than skipped.
 */
@ApplicationScoped
public class WebhookEventsConsumer {

    private final WebhookService webhooks;

    public WebhookEventsConsumer(WebhookService webhooks) {
        this.webhooks = webhooks;
    }

    @Incoming("webhook-events")
    @Blocking
    @Retry(maxRetries = -1, delay = 1, delayUnit = ChronoUnit.SECONDS, maxDuration = 1, durationUnit = ChronoUnit.DAYS)
    public void owe(CustomerEvent event, IncomingKafkaRecordMetadata<String, CustomerEvent> record) {
        if (event != null && event.type() != null && event.companyId() != null && event.eventId() != null) {
            webhooks.enqueue(event, record.getOffset());
        }
    }
}
