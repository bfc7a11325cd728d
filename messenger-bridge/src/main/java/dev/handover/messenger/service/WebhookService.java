package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.messenger.messaging.InboundPublisher;
import dev.handover.messenger.repository.ProfileRepository.Profile;
import dev.handover.messenger.repository.SeenEventRepository;
import dev.handover.messenger.repository.SendRepository;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Takes a verified webhook body to Kafka: every item once (by {@code mid}, across retries, restarts and
 * replicas), in Facebook's timestamp order, customers' messages with their names. Called by
 * {@link WebhookSpool} with batches of bodies already safe on disk; returns only once Kafka holds their events.
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

    private final ObjectMapper json;
    private final WebhookParser parser = new WebhookParser();
    private final SeenEventRepository seen;
    private final ProfileService profiles;
    private final SendRepository sends;
    private final InboundPublisher publisher;
    private final MeterRegistry metrics;
    private final Clock clock;

    public WebhookService(ObjectMapper json, SeenEventRepository seen, ProfileService profiles, SendRepository sends,
            InboundPublisher publisher, MeterRegistry metrics, Clock clock) {
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
    public void accept(List<byte[]> bodies) throws MalformedWebhook, InterruptedException {
        Map<String, InboundEvent> unique = new LinkedHashMap<>();
        for (byte[] body : bodies) {
            JsonNode root = root(body);
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
                    .forEach(e -> unique.putIfAbsent(e.eventId(), e));
        }
        Set<String> already = unique.isEmpty() ? Set.of() : seen.seen(unique.keySet());
        List<InboundEvent> fresh = new ArrayList<>();
        for (InboundEvent event : unique.values()) {
            if (already.contains(event.eventId())) {
                count("duplicate");
            } else {
                fresh.add(withNames(event));
                count(event.kind().name().toLowerCase());
            }
        }
        InboundPublisher.Outcome outcome = publisher.publish(fresh);
        // what Kafka took is seen even when the rest failed: the retry publishes only the rest, never a duplicate
        seen.markSeen(outcome.acknowledged().stream().map(InboundEvent::eventId).toList(), clock.instant());
        if (outcome.failure() != null) {
            throw new IllegalStateException((fresh.size() - outcome.acknowledged().size()) + " of " + fresh.size()
                    + " events not taken by Kafka", outcome.failure());
        }
    }

    private InboundEvent withNames(InboundEvent e) {
        if (e.kind() != InboundKind.MESSAGE && e.kind() != InboundKind.POSTBACK) {
            return e;
        }
        Profile names = profiles.names(e.pageId(), e.customerId());
        return e.withNames(names.firstName(), names.lastName());
    }

    private void count(String kind) {
        metrics.counter("handover.webhook.items", "kind", kind).increment();
    }
}
