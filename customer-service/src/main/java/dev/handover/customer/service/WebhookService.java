package dev.handover.customer.service;

import java.net.URI;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.customer.model.Webhook;
import dev.handover.customer.model.WebhookDelivery;
import dev.handover.customer.repository.WebhookDeliveryRepository;
import dev.handover.customer.repository.WebhookRepository;
import dev.handover.events.CustomerEvent;
import dev.handover.events.EventJson;

/**
 * Companies' outbound webhooks, for bots that do not speak Messenger's handover protocol: an admin registers a URL
 * and the events it wants ({@code customer_stop_status_changed}, {@code agent_assignment_changed},
 * {@code new_message}); each event of the company becomes a stored delivery per webhook, sent by
 * {@link WebhookSender}.
 */
@ApplicationScoped
public class WebhookService {

    public static final List<String> EVENTS = List.of("customer_stop_status_changed", "agent_assignment_changed",
            "new_message");
    static final int MAX_PER_COMPANY = 10;
    static final int MAX_URL = 2048;
    private static final Duration RECENT = Duration.ofSeconds(5);

    private final WebhookRepository webhooks;
    private final WebhookDeliveryRepository deliveries;
    private final WebhookSender sender;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Recent<String, List<Webhook>> known;

    public WebhookService(WebhookRepository webhooks, WebhookDeliveryRepository deliveries, WebhookSender sender,
            Clock clock) {
        this.webhooks = webhooks;
        this.sender = sender;
        this.known = new Recent<>(RECENT, clock);
        this.deliveries = deliveries;
        this.clock = clock;
    }

    /** Registers a webhook; the answer carries its secret, which no later answer shows. */
    public Map<String, Object> register(Caller caller, JsonNode body) {
        requireAdmin(caller);
        String url = body == null || !body.path("url").isTextual() ? null : body.get("url").asText().trim();
        if (url == null || url.isEmpty() || url.length() > MAX_URL || !httpUrl(url)) {
            throw ApiException.badRequest("url must be an http or https URL of at most " + MAX_URL + " characters");
        }
        List<String> events = new ArrayList<>();
        JsonNode wanted = body.path("events");
        if (wanted.isMissingNode() || wanted.isNull()) {
            events.addAll(EVENTS);
        } else {
            if (!wanted.isArray() || wanted.isEmpty()) {
                throw badEvents();
            }
            for (JsonNode event : wanted) {
                if (!event.isTextual() || !EVENTS.contains(event.asText())) {
                    throw badEvents();
                }
                if (!events.contains(event.asText())) {
                    events.add(event.asText());
                }
            }
        }
        if (webhooks.countOfCompany(caller.companyId()) >= MAX_PER_COMPANY) {
            throw new ApiException(409, "A company has at most " + MAX_PER_COMPANY + " webhooks");
        }
        Webhook webhook = new Webhook();
        webhook.id = UUID.randomUUID().toString();
        webhook.companyId = caller.companyId();
        webhook.url = url;
        webhook.events = events;
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        webhook.secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        webhook.createdAt = clock.instant();
        webhooks.persist(webhook);
        known.forget(caller.companyId());
        Map<String, Object> view = view(webhook);
        view.put("secret", webhook.secret);
        return view;
    }

    public List<Map<String, Object>> list(Caller caller) {
        requireAdmin(caller);
        return webhooks.ofCompany(caller.companyId()).stream().map(WebhookService::view).toList();
    }

    /** Removes a webhook of the caller's company, and what it was still owed. */
    public void remove(Caller caller, String id) {
        Webhook webhook = owned(caller, id);
        webhooks.deleteById(webhook.id);
        deliveries.removeOf(webhook.id);
        known.forget(caller.companyId());
    }

    /** The webhook's deliveries, newest first: what was sent, when, how often tried, and what the receiver answered. */
    public List<Map<String, Object>> log(Caller caller, String id, int limit) {
        Webhook webhook = owned(caller, id);
        return deliveries.log(webhook.id, limit).stream().map(d -> {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", d.id);
            view.put("event_id", d.eventId);
            view.put("event_type", d.eventType);
            view.put("page_id", d.pageId);
            view.put("customer_id", d.customerId);
            view.put("status", d.status);
            view.put("attempts", d.attempts);
            view.put("last_status", d.lastStatus);
            view.put("last_error", d.lastError);
            view.put("next_attempt_at", WebhookDelivery.PENDING.equals(d.status) ? d.nextAt : null);
            view.put("created_at", d.createdAt);
            view.put("delivered_at", d.deliveredAt);
            return view;
        }).toList();
    }

    /**
     * Stores what the event owes each webhook of its company that wants it (and existed when it happened); a
     * redelivered event adds nothing. {@code seq} orders a customer's deliveries.
     */
    public void enqueue(CustomerEvent event, long seq) {
        if (event.customer() == null || !EVENTS.contains(event.type().wireName())) {
            return;
        }
        String payload = null;
        for (Webhook webhook : webhooksOf(event.companyId())) {
            if (!webhook.events.contains(event.type().wireName())
                    || event.occurredAt() != null && event.occurredAt().isBefore(webhook.createdAt)) {
                continue;
            }
            if (payload == null) {
                payload = new String(EventJson.write(event), java.nio.charset.StandardCharsets.UTF_8);
            }
            WebhookDelivery delivery = new WebhookDelivery();
            delivery.id = webhook.id + ":" + event.eventId();
            delivery.webhookId = webhook.id;
            delivery.companyId = webhook.companyId;
            delivery.pageId = event.customer().pageId();
            delivery.customerId = event.customer().customerId();
            delivery.stream = webhook.id + "|" + delivery.pageId + ":" + delivery.customerId;
            delivery.seq = seq;
            delivery.eventId = event.eventId();
            delivery.eventType = event.type().wireName();
            delivery.payload = payload;
            delivery.status = WebhookDelivery.PENDING;
            delivery.createdAt = clock.instant();
            delivery.nextAt = delivery.createdAt;
            deliveries.add(delivery);
            sender.wakeAt(delivery.nextAt);
        }
    }

    /** The company's webhooks as read at most 5 s ago (registering or removing one here is seen at once). */
    private List<Webhook> webhooksOf(String companyId) {
        return known.get(companyId, webhooks::ofCompany);
    }

    private Webhook owned(Caller caller, String id) {
        requireAdmin(caller);
        Webhook webhook = id == null ? null : webhooks.findById(id);
        if (webhook == null || !webhook.companyId.equals(caller.companyId())) {
            throw new ApiException(404, "Webhook not found");
        }
        return webhook;
    }

    private static Map<String, Object> view(Webhook webhook) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", webhook.id);
        view.put("url", webhook.url);
        view.put("events", webhook.events);
        view.put("created_at", webhook.createdAt);
        return view;
    }

    private static boolean httpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
                    && uri.getHost() != null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    private static ApiException badEvents() {
        return ApiException.badRequest("events must be some of " + String.join(", ", EVENTS));
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.admin()) {
            throw ApiException.adminsOnly();
        }
    }
}
