package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.EventJson;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.graph.GraphClient;
import dev.handover.messenger.graph.GraphResult;
import dev.handover.messenger.repository.SendRepository;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Sends what agents write through the Send API, under Messenger's window rules and this replica's per-page
 * rate limit, retrying with backoff what may succeed later and giving up at once on what will not. A text is
 * claimed in MongoDB before its first call, so no redelivery or other replica ever sends it twice.
 */
@ApplicationScoped
public class SendService {

    private static final Logger LOG = Logger.getLogger(SendService.class);
    /** Graph API codes worth another try: unknown and temporary errors, and the rate limits. */
    static final Set<Integer> TRANSIENT = Set.of(1, 2, 4, 17, 32, 613, 1200);
    static final Set<Integer> RATE_LIMITS = Set.of(4, 17, 32, 613);

    private final GraphClient graph;
    private final PageAccess pages;
    private final SendRepository sends;
    private final BridgeConfig config;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final RateLimiter limiter;

    public SendService(GraphClient graph, PageAccess pages, SendRepository sends, BridgeConfig config, ObjectMapper json,
            MeterRegistry metrics, Clock clock) {
        this.graph = graph;
        this.pages = pages;
        this.sends = sends;
        this.config = config;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
        this.limiter = new RateLimiter(config.send().ratePerPage(), System::nanoTime);
    }

    /** Sends {@code message} (blocking through retries) and returns its outcome. */
    public DeliveryReport send(OutboundMessage message) throws InterruptedException {
        String invalid = invalid(message);
        if (invalid != null) {
            return count(failed(message, null, null, invalid, false, 0));
        }
        boolean text = message.kind() == OutboundKind.TEXT;
        if (text && !sends.claim(message.messageId(), clock.instant())) {
            return earlier(message);
        }
        DeliveryReport report = deliver(message, text);
        if (text) {
            sends.finish(message.messageId(), report.status() == DeliveryStatus.SENT ? "sent" : "failed",
                    new String(EventJson.write(report), java.nio.charset.StandardCharsets.UTF_8), clock.instant());
        }
        return count(report);
    }

    private DeliveryReport deliver(OutboundMessage message, boolean text) throws InterruptedException {
        PageAccess.Access page = pages.find(message.pageId());
        if (page == null) {
            return failed(message, null, null, "Page " + message.pageId() + " is not connected", false, 0);
        }
        if (!page.companyId().equals(message.companyId())) {
            LOG.warnf("Refused a send as page %s for company %s: the page belongs to another company",
                    message.pageId(), message.companyId());
            return failed(message, null, null, "Page " + message.pageId() + " does not belong to company "
                    + message.companyId(), false, 0);
        }
        String token = page.token();
        ObjectNode body = json.createObjectNode();
        body.putObject("recipient").put("id", message.customerId());
        if (text) {
            MessagingWindow.Decision window = MessagingWindow.decide(message.customerLastMessageAt(), clock.instant());
            if (window == MessagingWindow.Decision.CLOSED) {
                return failed(message, null, null, "Not sent: more than 7 days since the customer's last message, "
                        + "outside Messenger's human agent window", false, 0);
            }
            if (window == MessagingWindow.Decision.RESPONSE) {
                body.put("messaging_type", "RESPONSE");
            } else {
                body.put("messaging_type", "MESSAGE_TAG");
                body.put("tag", "HUMAN_AGENT");
            }
            body.putObject("message").put("text", message.text()).put("metadata", message.messageId());
        } else {
            body.put("sender_action", json.valueToTree(message.senderAction()).asText());
        }
        int maxAttempts = Math.max(1, config.send().maxAttempts());
        for (int attempt = 1;; attempt++) {
            Duration wait = limiter.reserve(message.pageId());
            if (!wait.isZero()) {
                Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
            }
            GraphResult result = null;
            String unanswered = null;
            try {
                result = graph.send(message.pageId(), token, body);
            } catch (IOException e) {
                unanswered = "No answer from the Graph API: " + e;
            }
            if (result != null && result.ok()) {
                return new DeliveryReport(message.messageId(), message.pageId(), message.customerId(),
                        DeliveryStatus.SENT, result.messageId(), null, null, null, false, attempt, clock.instant());
            }
            Integer code = result == null ? null : result.errorCode();
            Integer subcode = result == null ? null : result.errorSubcode();
            String error = result == null ? unanswered : result.error();
            boolean retryable = result == null || result.httpStatus() >= 500 || TRANSIENT.contains(code);
            LOG.infof("Send %s to %s failed (attempt %d): (#%s/%s) %s fbtrace_id=%s", message.messageId(),
                    message.pageId(), attempt, code, subcode, error, result == null ? null : result.fbtraceId());
            if (!retryable || attempt >= maxAttempts) {
                return failed(message, code, subcode, error, retryable, attempt);
            }
            Duration backoff = backoff(attempt);
            if (RATE_LIMITS.contains(result.errorCode())) {
                limiter.pause(message.pageId(), backoff);
            } else {
                Thread.sleep(backoff.toMillis());
            }
        }
    }

    /** The outcome of a text claimed before: its report, or a refusal to guess if it never finished. */
    private DeliveryReport earlier(OutboundMessage message) {
        SendRepository.Send earlier = sends.find(message.messageId());
        if (earlier != null && earlier.report() != null) {
            try {
                return EventJson.read(earlier.report().getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        DeliveryReport.class);
            } catch (IOException e) {
                LOG.warnf("Unreadable stored outcome of %s: %s", message.messageId(), e.getMessage());
            }
        }
        return failed(message, null, null, "A send of this message was interrupted before its outcome was known; "
                + "not repeated to avoid a duplicate", false, 0);
    }

    private Duration backoff(int attempt) {
        long base = config.send().initialBackoff().toMillis() << Math.min(attempt - 1, 16);
        long capped = Math.min(base, config.send().maxBackoff().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private DeliveryReport failed(OutboundMessage message, Integer code, Integer subcode, String error, boolean retryable,
            int attempts) {
        return new DeliveryReport(message.messageId(), message.pageId(), message.customerId(), DeliveryStatus.FAILED,
                null, code, subcode, error, retryable, attempts, clock.instant());
    }

    private DeliveryReport count(DeliveryReport report) {
        metrics.counter("handover.send.outcomes", "status", report.status().name().toLowerCase(),
                "code", report.errorCode() == null ? "none" : report.errorCode().toString()).increment();
        return report;
    }

    private static String invalid(OutboundMessage m) {
        if (m.messageId() == null || m.companyId() == null || m.pageId() == null || m.customerId() == null
                || m.kind() == null) {
            return "Invalid outbound record: message_id, company_id, page_id, customer_id and kind are required";
        }
        if (m.kind() == OutboundKind.TEXT && (m.text() == null || m.text().isBlank())) {
            return "Invalid outbound record: a text message needs text";
        }
        if (m.kind() == OutboundKind.SENDER_ACTION && m.senderAction() == null) {
            return "Invalid outbound record: a sender action needs sender_action";
        }
        return null;
    }
}
