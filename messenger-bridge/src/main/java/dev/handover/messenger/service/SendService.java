package dev.handover.messenger.service;

import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;

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
import dev.handover.messenger.repository.PageRateRepository;
import dev.handover.messenger.repository.SendRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.faulttolerance.api.TypedGuard;

/**
 * Sends what agents write through the Send API, under Messenger's window rules and this replica's per-page
 * rate limit, retrying with backoff what may succeed later and giving up at once on what will not. A text is
 * claimed in MongoDB before its first call, so no redelivery or other replica ever sends it twice.
 */
@ApplicationScoped
@Startup // created at start, so that its metrics are exposed (at 0) before the first send
public class SendService {

    private static final Logger LOG = Logger.getLogger(SendService.class);
    /** Graph API codes worth another try: unknown and temporary errors, and the rate limits. */
    static final Set<Integer> TRANSIENT = Set.of(1, 2, 4, 17, 32, 613, 1200);
    static final Set<Integer> RATE_LIMITS = Set.of(4, 17, 32, 613);
    /** Invalid or expired access token: the page needs a new one. */
    static final int TOKEN_INVALID = 190;
    /** Code 10, subcode 2018300: another app (the page's bot) owns the conversation. */
    static final int PERMISSION = 10;
    static final int OWNED_BY_ANOTHER_APP = 2018300;
    /** Code 10, subcode 2018278: sent outside the 24-hour window (by Facebook's clock). */
    static final int OUTSIDE_WINDOW = 2018278;

    private final GraphClient graph;
    private final PageAccess pages;
    private final SendRepository sends;
    private final PageRateRepository pageRates;
    private final BridgeConfig config;
    private final ObjectMapper json;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final RateLimiter limiter;
    /** A text's attempts: exponential backoff with jitter, within its attempts and its deadline. */
    private final TypedGuard<DeliveryReport> retries;

    public SendService(GraphClient graph, PageAccess pages, SendRepository sends, PageRateRepository pageRates,
            BridgeConfig config, ObjectMapper json, MeterRegistry metrics, Clock clock) {
        this.pageRates = pageRates;
        this.graph = graph;
        this.pages = pages;
        this.sends = sends;
        this.config = config;
        this.json = json;
        this.metrics = metrics;
        this.clock = clock;
        this.limiter = new RateLimiter(config.send().ratePerPage(), System::nanoTime);
        // no delay longer than the deadline (a short deadline with the default backoff is a valid setting)
        long deadline = Math.max(2, config.send().deadline().toMillis());
        long maxDelay = Math.min(config.send().maxBackoff().toMillis(), deadline - 1);
        long initial = Math.min(config.send().initialBackoff().toMillis(), maxDelay);
        this.retries = TypedGuard.create(DeliveryReport.class)
                .withRetry().maxRetries(Math.max(0, config.send().maxAttempts() - 1))
                .delay(initial, ChronoUnit.MILLIS).jitter(initial / 2, ChronoUnit.MILLIS)
                .maxDuration(deadline, ChronoUnit.MILLIS)
                .retryOn(RetryableFailure.class)
                .withExponentialBackoff().factor(2).maxDelay(maxDelay, ChronoUnit.MILLIS)
                .done().done().build();
        // the outcomes' series exist from the start, at 0, so that a failure ratio has a denominator
        for (DeliveryStatus status : List.of(DeliveryStatus.SENT, DeliveryStatus.FAILED)) {
            metrics.counter("handover.send.outcomes", "status", status.name().toLowerCase(), "code", "none");
        }
    }

    /** Sends {@code message} (blocking through retries, never past its deadline) and returns its outcome. */
    public DeliveryReport send(OutboundMessage message) throws InterruptedException {
        String invalid = invalid(message);
        if (invalid != null) {
            return count(failed(message, null, null, invalid, false, 0));
        }
        if (message.kind() == OutboundKind.SENDER_ACTION) {
            return count(senderAction(message));
        }
        if (message.kind() == OutboundKind.TAKE_THREAD_CONTROL || message.kind() == OutboundKind.PASS_THREAD_CONTROL) {
            return count(threadControl(message));
        }
        if (!sends.claim(message.messageId(), clock.instant())) {
            return count(earlier(message));
        }
        DeliveryReport report = text(message);
        sends.finish(message.messageId(), report.status() == DeliveryStatus.SENT ? "sent" : "failed",
                new String(EventJson.write(report), StandardCharsets.UTF_8), clock.instant());
        return count(report);
    }

    /** A typing indicator or seen mark: once, and only while it still means something. */
    private DeliveryReport senderAction(OutboundMessage message) throws InterruptedException {
        Instant now = clock.instant();
        if (message.requestedAt() != null && message.requestedAt().plus(config.send().senderActionMaxAge()).isBefore(now)) {
            return failed(message, null, null, "Stale sender action dropped", false, 0);
        }
        if (MessagingWindow.decide(message.customerLastMessageAt(), now) != MessagingWindow.Decision.RESPONSE) {
            return failed(message, null, null, "Sender actions are only sent within 24 hours of the customer's last message",
                    false, 0);
        }
        PageAccess.Access page = page(message);
        if (page == null) {
            return failed(message, null, null, refusal(message), false, 0);
        }
        ObjectNode body = json.createObjectNode();
        body.putObject("recipient").put("id", message.customerId());
        body.put("sender_action", json.valueToTree(message.senderAction()).asText());
        GraphResult result;
        awaitSlot(message.pageId());
        try {
            result = graph.send(message.pageId(), page.token(), body);
        } catch (IOException e) {
            return failed(message, null, null, "No answer from the Graph API: " + e, true, 1);
        }
        return result.ok() ? sent(message, null, 1) : failed(message, result.errorCode(), result.errorSubcode(),
                result.error(), false, 1);
    }

    /**
     * Takes the conversation from the bot, or passes it to {@code target_app_id}, with the record's note: once (a
     * repeated take or pass changes nothing at Facebook), its outcome reported like a send's.
     */
    private DeliveryReport threadControl(OutboundMessage message) throws InterruptedException {
        PageAccess.Access page = page(message);
        if (page == null) {
            return failed(message, null, null, refusal(message), false, 0);
        }
        GraphResult result;
        try {
            result = threadControl(message, page, message.kind() == OutboundKind.PASS_THREAD_CONTROL);
        } catch (IOException e) {
            return failed(message, null, null, "No answer from the Graph API: " + e, true, 1);
        }
        if (!result.ok()) {
            LOG.warnf("Thread control %s of %s on %s refused: (#%s/%s) %s", message.kind(), message.customerId(),
                    message.pageId(), result.errorCode(), result.errorSubcode(), result.error());
            return failed(message, result.errorCode(), result.errorSubcode(), result.error(), false, 1);
        }
        return sent(message, null, 1);
    }

    private GraphResult threadControl(OutboundMessage message, PageAccess.Access page, boolean pass)
            throws IOException, InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.putObject("recipient").put("id", message.customerId());
        if (pass) {
            body.put("target_app_id", message.targetAppId());
        }
        if (message.metadata() != null) {
            body.put("metadata", message.metadata());
        }
        awaitSlot(message.pageId());
        return graph.threadControl(pass ? "pass_thread_control" : "take_thread_control", page.token(), body);
    }

    /**
     * A text: retried (by {@link #retries}, with exponential backoff) while it cannot have gone out (refused
     * connection, transient codes, rate limits); after a call whose outcome is unknown (timeout, reset) only once the
     * page's echo of it has not come within {@code messenger.send.echo-wait}, so that the customer never gets it
     * twice. Refused because the page's bot owns the conversation (10/2018300), Handover takes it once and sends
     * again; refused as outside the 24-hour window (10/2018278) while the window looked open, it goes again with the
     * HUMAN_AGENT tag when the app may use it. Ends by its deadline.
     */
    private DeliveryReport text(OutboundMessage message) throws InterruptedException {
        Attempts attempts = new Attempts(message, (message.requestedAt() != null ? message.requestedAt() : clock.instant())
                .plus(config.send().deadline()));
        try {
            return retries.call(() -> attempt(attempts));
        } catch (RetryableFailure last) {
            return last.report;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            LOG.errorf(e, "Send %s failed unexpectedly", message.messageId());
            return failed(message, attempts.lastCode, attempts.lastSubcode, "Not sent: " + e, true, attempts.count);
        }
    }

    /** One call of a text's: its outcome, or a {@link RetryableFailure} for the guard to try again. */
    private DeliveryReport attempt(Attempts a) throws InterruptedException, RetryableFailure {
        OutboundMessage message = a.message;
        int attempt = ++a.count;
        Instant now = clock.instant();
        if (!now.isBefore(a.deadline)) {
            return failed(message, a.lastCode, a.lastSubcode, "Not sent within " + config.send().deadline().toSeconds()
                    + " s of the agent's request" + (a.lastError == null ? "" : "; last error: " + a.lastError), true,
                    attempt - 1);
        }
        PageAccess.Access page = page(message);
        if (page == null) {
            return failed(message, null, null, refusal(message), false, attempt - 1);
        }
        ObjectNode body = json.createObjectNode();
        body.putObject("recipient").put("id", message.customerId());
        MessagingWindow.Decision window = MessagingWindow.decide(message.customerLastMessageAt(), now);
        if (a.windowClosed && window == MessagingWindow.Decision.RESPONSE) {
            window = MessagingWindow.Decision.HUMAN_AGENT_TAG;
        }
        switch (window) {
            case CLOSED -> {
                return failed(message, null, null, "Not sent: more than 7 days since the customer's last message, "
                        + "outside Messenger's human agent window", false, attempt - 1);
            }
            case HUMAN_AGENT_TAG -> {
                if (!config.send().humanAgentTag()) {
                    return failed(message, a.lastCode, a.lastSubcode, "Not sent: more than 24 hours since the customer's "
                            + "last message, and this app is not approved for the HUMAN_AGENT tag", false, attempt - 1);
                }
                body.put("messaging_type", "MESSAGE_TAG");
                body.put("tag", "HUMAN_AGENT");
            }
            case RESPONSE -> body.put("messaging_type", "RESPONSE");
        }
        body.putObject("message").put("text", message.text()).put("metadata", message.messageId());
        awaitSlot(message.pageId());
        GraphResult result = null;
        boolean ambiguous = false;
        try {
            result = graph.send(message.pageId(), page.token(), body);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            a.lastError = "Graph API unreachable: " + e;
        } catch (IOException e) {
            ambiguous = true;
            a.lastError = "No answer from the Graph API: " + e;
        }
        if (result != null && result.ok()) {
            return sent(message, result.messageId(), attempt);
        }
        if (ambiguous) {
            SendRepository.Send settled = sends.awaitSettled(message.messageId(),
                    clock.instant().plus(min(config.send().echoWait(), a.deadline)));
            String echoed = settled == null ? null : settled.echoMid();
            if (echoed != null) {
                LOG.infof("Send %s had no answer but its echo arrived: sent", message.messageId());
                return sent(message, echoed, attempt);
            }
            a.lastError += "; no echo within " + config.send().echoWait().toSeconds() + " s";
        }
        a.lastCode = result == null ? null : result.errorCode();
        a.lastSubcode = result == null ? null : result.errorSubcode();
        if (result != null) {
            a.lastError = result.error();
        }
        boolean retryable = result == null || result.httpStatus() >= 500 || a.lastCode != null && TRANSIENT.contains(a.lastCode);
        LOG.infof("Send %s to %s failed (attempt %d): (#%s/%s) %s fbtrace_id=%s", message.messageId(), message.pageId(),
                attempt, a.lastCode, a.lastSubcode, a.lastError, result == null ? null : result.fbtraceId());
        if (Integer.valueOf(TOKEN_INVALID).equals(a.lastCode)) {
            pages.tokenRejected(message.pageId());
            // what the agents see on the failed message: the page, not the message, needs attention
            a.lastError = "Facebook rejected the page's access token (expired or revoked): an admin must give page "
                    + message.pageId() + " a new token. Facebook said: " + a.lastError;
        }
        if (Integer.valueOf(PERMISSION).equals(a.lastCode)) {
            if (!a.tookControl && Integer.valueOf(OWNED_BY_ANOTHER_APP).equals(a.lastSubcode)) {
                a.tookControl = true;
                retryable = takeControl(message, page);
            } else if (!a.windowClosed && Integer.valueOf(OUTSIDE_WINDOW).equals(a.lastSubcode)
                    && window == MessagingWindow.Decision.RESPONSE && config.send().humanAgentTag()) {
                a.windowClosed = true; // Facebook's clock says the 24 hours are over: the tag, once
                retryable = true;
            }
        }
        DeliveryReport failure = failed(message, a.lastCode, a.lastSubcode, a.lastError, retryable, attempt);
        if (!retryable) {
            return failure;
        }
        if (a.lastCode != null && RATE_LIMITS.contains(a.lastCode)) {
            // the page's other sends wait too: as long as this one's next delay would be at least
            limiter.pause(message.pageId(), Duration.ofMillis(Math.min(config.send().maxBackoff().toMillis(),
                    config.send().initialBackoff().toMillis() << Math.min(attempt - 1, 16))));
        }
        throw new RetryableFailure(failure);
    }

    /** What the attempts at one text learnt so far. */
    private static final class Attempts {
        final OutboundMessage message;
        final Instant deadline;
        int count;
        String lastError;
        Integer lastCode;
        Integer lastSubcode;
        boolean tookControl;
        boolean windowClosed;

        Attempts(OutboundMessage message, Instant deadline) {
            this.message = message;
            this.deadline = deadline;
        }
    }

    /** A failed call worth another; the last one's report is the text's outcome. */
    static final class RetryableFailure extends Exception {
        final transient DeliveryReport report;

        RetryableFailure(DeliveryReport report) {
            super(report.error(), null, false, false);
            this.report = report;
        }
    }

    /** Takes the conversation so that a refused text can go out; whether Facebook agreed. */
    private boolean takeControl(OutboundMessage message, PageAccess.Access page) throws InterruptedException {
        try {
            GraphResult taken = threadControl(new OutboundMessage(message.messageId(), OutboundKind.TAKE_THREAD_CONTROL,
                    message.companyId(), message.pageId(), message.customerId(), null, null, null, message.requestedAt(),
                    null, "Handover: an agent is answering"), page, false);
            LOG.infof("Send %s refused, the page's bot owns the conversation: took control (%s)", message.messageId(),
                    taken.ok() ? "granted" : "refused: " + taken.error());
            return taken.ok();
        } catch (IOException e) {
            LOG.infof("Taking control for send %s failed: %s", message.messageId(), e.toString());
            return false;
        }
    }

    /**
     * Waits for the page's next call: spaced on this replica, paused after a rate-limit answer, and within
     * {@code messenger.send.rate-per-page} calls per second counted across every replica.
     */
    private void awaitSlot(String pageId) throws InterruptedException {
        Duration wait = limiter.reserve(pageId);
        if (!wait.isZero()) {
            Thread.sleep(wait.toMillis(), wait.toNanosPart() % 1_000_000);
        }
        while (true) {
            long now = clock.millis();
            if (pageRates.take(pageId, now / 1000) <= config.send().ratePerPage()) {
                return;
            }
            Thread.sleep(1000 - now % 1000);
        }
    }

    /** The connected page the record may send as, or {@code null}. */
    private PageAccess.Access page(OutboundMessage message) {
        PageAccess.Access page = pages.find(message.pageId());
        return page != null && page.companyId().equals(message.companyId()) ? page : null;
    }

    private String refusal(OutboundMessage message) {
        if (pages.find(message.pageId()) == null) {
            return "Page " + message.pageId() + " is not connected";
        }
        LOG.warnf("Refused a send as page %s for company %s: the page belongs to another company", message.pageId(),
                message.companyId());
        return "Page " + message.pageId() + " does not belong to company " + message.companyId();
    }

    private Duration min(Duration wait, Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.compareTo(wait) < 0 ? (left.isNegative() ? Duration.ZERO : left) : wait;
    }

    private DeliveryReport sent(OutboundMessage message, String facebookMessageId, int attempts) {
        return new DeliveryReport(message.messageId(), message.pageId(), message.customerId(), DeliveryStatus.SENT,
                facebookMessageId, null, null, null, false, attempts, clock.instant());
    }

    /**
     * The outcome of a text claimed before. The replica that claimed it may still be sending it (a rebalance
     * handed its record to us), so its outcome, or the page's echo, is awaited until that replica must have
     * finished (the text's deadline plus one call and the echo wait); a replica killed mid-call leaves neither,
     * and the text is then failed rather than risking a duplicate.
     */
    private DeliveryReport earlier(OutboundMessage message) throws InterruptedException {
        Instant requested = message.requestedAt() != null ? message.requestedAt() : clock.instant();
        Instant ownerDone = requested.plus(config.send().deadline()).plus(config.graph().timeout())
                .plus(config.send().echoWait());
        SendRepository.Send earlier = sends.awaitSettled(message.messageId(), ownerDone);
        if (earlier != null && earlier.report() != null) {
            try {
                return EventJson.read(earlier.report().getBytes(StandardCharsets.UTF_8), DeliveryReport.class);
            } catch (IOException e) {
                LOG.warnf("Unreadable stored outcome of %s: %s", message.messageId(), e.getMessage());
            }
        }
        DeliveryReport report = earlier != null && earlier.echoMid() != null ? sent(message, earlier.echoMid(), 1)
                : failed(message, null, null, "A send of this message was interrupted before its outcome was known and "
                        + "Facebook never echoed it; not repeated to avoid a duplicate", true, 0);
        sends.finish(message.messageId(), report.status() == DeliveryStatus.SENT ? "sent" : "failed",
                new String(EventJson.write(report), StandardCharsets.UTF_8), clock.instant());
        return report;
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
        if (m.kind() == OutboundKind.PASS_THREAD_CONTROL && (m.targetAppId() == null || m.targetAppId().isBlank())) {
            return "Invalid outbound record: passing thread control needs target_app_id";
        }
        return null;
    }
}
