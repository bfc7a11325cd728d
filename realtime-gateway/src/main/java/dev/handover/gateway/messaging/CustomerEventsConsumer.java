package dev.handover.gateway.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.Spans;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import dev.handover.gateway.service.CompanyChannels;
import dev.handover.gateway.service.EventRenderer;
import dev.handover.gateway.service.GatewayMetrics;
import dev.handover.gateway.service.StaffConsole;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;

/**
 * The Kafka edge: every gateway instance reads all of {@code customer.events} in its own consumer group and
 * hands each record, rendered once, to the company's sessions. The record's offset is the broadcast's
 * {@code seq}: a company's events share a partition, so it grows with every event of the company, and it is
 * the same on every instance, so an agent can resume on any of them. A traced record's broadcast is a span of its
 * trace, from the record's arrival until every event loop has written its frames.
 */
@ApplicationScoped
public class CustomerEventsConsumer {

    private static final Logger LOG = Logger.getLogger(CustomerEventsConsumer.class);

    private final CompanyChannels channels;
    private final StaffConsole console;
    private final GatewayMetrics metrics;
    private final Spans spans;

    public CustomerEventsConsumer(CompanyChannels channels, StaffConsole console, GatewayMetrics metrics, Spans spans) {
        this.channels = channels;
        this.spans = spans;
        this.console = console;
        this.metrics = metrics;
    }

    /**
     * A batch at a time (what one poll returned), on a worker thread, in order: each record rendered once, then
     * one task per event loop writes the whole batch's frames to its sessions. Record by record on the event loop,
     * every record waited behind the writes of the one before, and the consumer fell behind at 500 events/s with
     * 10,000 agents while the gateway used half a core.
     */
    @Incoming("customer-events")
    @Blocking
    public CompletionStage<Void> consume(KafkaRecordBatch<String, CustomerEvent> batch) {
        List<CompanyChannels.Broadcast> broadcasts = new ArrayList<>();
        List<CustomerEvent> statusChanges = new ArrayList<>();
        List<Span> traced = new ArrayList<>();
        for (KafkaRecord<String, CustomerEvent> record : batch) {
            CustomerEvent event = record.getPayload();
            long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                    .orElse(-1L);
            if (event == null || event.companyId() == null || event.type() == null || !complete(event)) {
                LOG.warnf("Skipping customer.events record at offset %d: not a complete CustomerEvent", offset);
                continue;
            }
            try {
                broadcasts.add(new CompanyChannels.Broadcast(event.companyId(), EventRenderer.render(event, offset)));
                if (spans.on()) {
                    traced(record, event, offset, traced);
                }
                metrics.broadcast(event.occurredAt());
                if (event.type() == CustomerEventType.AGENT_ASSIGNMENT_CHANGED) {
                    statusChanges.add(event);
                }
            } catch (RuntimeException e) {
                // one record we cannot render must not stop every company's broadcasts
                LOG.errorf(e, "Skipping customer.events record at offset %d (event %s): it cannot be broadcast", offset,
                        event.eventId());
            }
        }
        channels.publish(broadcasts, () -> traced.forEach(Span::end));
        for (CustomerEvent event : statusChanges) {
            // the agents whose active chats changed see their status again
            console.statusChanged(event.companyId(), event.agent() == null ? null : event.agent().id());
            if (event.previousAgent() != null) {
                console.statusChanged(event.companyId(), event.previousAgent().id());
            }
        }
        return batch.ack();
    }

    /** Starts the broadcast span of a record that carries a trace. */
    private void traced(KafkaRecord<String, CustomerEvent> record, CustomerEvent event, long offset, List<Span> traced) {
        String traceparent = TraceContext.of(record.getHeaders());
        if (traceparent == null) {
            return;
        }
        Span span = spans.kafka(Topics.CUSTOMER_EVENTS, "broadcast", SpanKind.CONSUMER, traceparent);
        span.setAttribute("messaging.kafka.offset", offset);
        span.setAttribute("handover.event_type", event.type().name().toLowerCase());
        span.setAttribute("handover.company_id", event.companyId());
        if (event.customer() != null) {
            span.setAttribute("handover.customer_id", event.customer().customerId());
            span.setAttribute("handover.page_id", event.customer().pageId());
        }
        traced.add(span);
    }

    /** A customer's event names its customer; an agent's status change, its agent and status. */
    private static boolean complete(CustomerEvent event) {
        return event.type() == CustomerEventType.AGENT_STATUS_CHANGED
                ? event.agent() != null && event.agent().id() != null && event.presence() != null
                : event.customer() != null;
    }
}
