package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.Spans;
import dev.handover.events.TraceContext;
import dev.handover.events.Topics;
import dev.handover.messenger.messaging.InboundPublisher;
import dev.handover.messenger.repository.ProfileRepository.Profile;
import dev.handover.messenger.repository.SeenEventRepository;
import dev.handover.messenger.repository.SendRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

/**
 * Takes a verified webhook body to Kafka: every item once (by {@code mid}, across retries, restarts and
 * replicas), in Facebook's timestamp order, customers' messages with their names. Called by
 * {@link WebhookSpool} with batches of bodies already safe on disk; returns only once Kafka holds their events.
 * Each event's publication is a span of the webhook request's trace, and its record carries that trace on.
 */
@ApplicationScoped
public class WebhookService {

    private static final Logger LOG = Logger.getLogger(WebhookService.class);

    /** A body that is not the JSON of a webhook. */
    public static class MalformedWebhook extends Exception {
        MalformedWebhook(String message) {
            super(message);
        }
    }

    /** A spooled webhook body and the trace of the request that brought it ({@code null} without one). */
    public record Body(byte[] content, String traceparent) {
    }

    private final ObjectMapper json;
    private final WebhookParser parser = new WebhookParser();
    private final SeenEventRepository seen;
    private final ProfileService profiles;
    private final SendRepository sends;
    private final InboundPublisher publisher;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final Spans spans;

    public WebhookService(ObjectMapper json, SeenEventRepository seen, ProfileService profiles, SendRepository sends,
            InboundPublisher publisher, MeterRegistry metrics, Clock clock, Spans spans) {
        this.spans = spans;
        this.sends = sends;
        this.json = json;
        this.seen = seen;
        this.profiles = profiles;
        this.publisher = publisher;
        this.metrics = metrics;
        this.clock = clock;
        // every kind's series exists from the first webhook on, at 0, not only once an item of that kind came
        List<String> kinds = new ArrayList<>(List.of("duplicate", "not_page"));
        for (InboundKind kind : InboundKind.values()) {
            kinds.add(kind.name().toLowerCase());
        }
        kinds.forEach(kind -> metrics.counter("handover.webhook.items", "kind", kind));
    }

    /** Refuses a body that is not a JSON object, before anything is kept of it. */
    public void validate(byte[] body) throws MalformedWebhook {
        root(body);
    }

    private JsonNode root(byte[] body) throws MalformedWebhook {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            throw new MalformedWebhook("Body is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw new MalformedWebhook("Body is not a JSON object");
        }
        return root;
    }

    /**
     * Takes the events of verified bodies (in the order they came) to Kafka: each body's items in timestamp order,
     * de-duplicated across the bodies and with everything published before; throws while it cannot.
     */
    public void accept(List<Body> bodies) throws MalformedWebhook, InterruptedException {
        Map<String, InboundEvent> unique = new LinkedHashMap<>();
        Map<String, String> traces = new HashMap<>();
        for (Body body : bodies) {
            JsonNode root = root(body.content());
            if (!"page".equals(root.path("object").asText())) {
                count("not_page");
                LOG.infof("Ignoring a webhook for object %s", root.path("object").asText());
                continue;
            }
            WebhookParser.Parsed parsed = parser.parse(root);
            parsed.skipped().forEach(this::count);
            parsed.alerts().forEach(alert -> LOG.errorf("Facebook policy enforcement on a page: %s", alert));
            if (!parsed.skipped().isEmpty()) {
                LOG.warnf("Skipped webhook items: %s", parsed.skipped());
            }
            parsed.events().stream().filter(e -> e.kind() == InboundKind.ECHO && e.metadata() != null && e.mid() != null)
                    .forEach(e -> sends.echoed(e.metadata(), e.mid(), clock.instant()));
            parsed.events().stream()
                    .sorted(Comparator.comparing(InboundEvent::timestamp, Comparator.nullsLast(Comparator.naturalOrder())))
                    .forEach(e -> {
                        if (unique.putIfAbsent(e.eventId(), e) == null && body.traceparent() != null) {
                            traces.put(e.eventId(), body.traceparent());
                        }
                    });
        }
        Set<String> already = unique.isEmpty() ? Set.of() : seen.seen(unique.keySet());
        List<InboundEvent> fresh = new ArrayList<>();
        List<Span> published = new ArrayList<>();
        InboundPublisher.Outcome outcome;
        try {
            List<ProfileService.Lookup> lookups = new ArrayList<>();
            for (InboundEvent event : unique.values()) {
                if (already.contains(event.eventId())) {
                    count("duplicate");
                    continue;
                }
                Span span = publishing(event, traces.get(event.eventId()));
                published.add(span);
                fresh.add(event);
                if (needsNames(event)) { // the profile look-up is part of the publication
                    lookups.add(new ProfileService.Lookup(event.pageId(), event.customerId(), Context.current().with(span)));
                }
                count(event.kind().name().toLowerCase());
            }
            Map<String, Profile> names = lookups.isEmpty() ? Map.of() : profiles.names(lookups);
            fresh.replaceAll(event -> {
                Profile profile = needsNames(event) ? names.get(ProfileService.key(event.pageId(), event.customerId())) : null;
                return profile == null ? event : event.withNames(profile.firstName(), profile.lastName());
            });
            outcome = publisher.publish(fresh, published.stream().map(s -> TraceContext.of(s.getSpanContext())).toList());
            Set<String> taken = outcome.acknowledged().stream().map(InboundEvent::eventId).collect(Collectors.toSet());
            for (int i = 0; i < published.size(); i++) {
                if (!taken.contains(fresh.get(i).eventId())) {
                    published.get(i).setStatus(StatusCode.ERROR, "not taken by Kafka");
                }
            }
        } finally {
            published.forEach(Span::end);
        }
        // what Kafka took is seen even when the rest failed: the retry publishes only the rest, never a duplicate
        seen.markSeen(outcome.acknowledged().stream().map(InboundEvent::eventId).toList(), clock.instant());
        if (outcome.failure() != null) {
            throw new IllegalStateException((fresh.size() - outcome.acknowledged().size()) + " of " + fresh.size()
                    + " events not taken by Kafka", outcome.failure());
        }
    }

    /** The span of one event's way to Kafka, in the trace of the webhook that brought it: ids, never texts. */
    private Span publishing(InboundEvent event, String traceparent) {
        Span span = spans.kafka(Topics.MESSENGER_INBOUND, "publish", SpanKind.PRODUCER, traceparent);
        if (span.isRecording()) {
            span.setAttribute("handover.page_id", event.pageId());
            span.setAttribute("handover.customer_id", event.customerId());
            span.setAttribute("handover.kind", event.kind().name().toLowerCase());
            if (event.mid() != null) {
                span.setAttribute("handover.mid", event.mid());
            }
        }
        return span;
    }

    private static boolean needsNames(InboundEvent e) {
        return e.kind() == InboundKind.MESSAGE || e.kind() == InboundKind.POSTBACK;
    }

    private void count(String kind) {
        metrics.counter("handover.webhook.items", "kind", kind).increment();
    }
}
