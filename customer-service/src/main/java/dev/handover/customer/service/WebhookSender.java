package dev.handover.customer.service;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.model.Webhook;
import dev.handover.customer.model.WebhookDelivery;
import dev.handover.customer.repository.WebhookDeliveryRepository;
import dev.handover.customer.repository.WebhookRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;

/**
 * POSTs stored deliveries to their webhooks, signed ({@code X-Handover-Signature-256: sha256=<hex HMAC-SHA256 of
 * the body with the webhook's secret>}), at least once and in order per customer: only a stream's oldest pending
 * delivery is ever sent. A failure (no answer within {@code handover.webhooks.timeout}, or not 2xx) is tried again
 * with exponential back-off up to {@code handover.webhooks.max-backoff}, for {@code handover.webhooks.give-up-after};
 * then it is marked failed and the stream moves on. Each attempt is claimed with one conditional update, so a
 * delivery is sent by one replica at a time, and a replica that dies mid-call leaves it due again.
 * <p>
 * Deliveries are looked for when one is due here: a new one at once, a retry when its back-off ends, a stream's next
 * when its head is settled. The tick ({@code handover.webhooks.tick}) only finds what another replica left (one
 * killed mid-call, its lease run out), so an idle service sends no query a second.
 */
@ApplicationScoped
public class WebhookSender {

    private static final Logger LOG = Logger.getLogger(WebhookSender.class);
    private static final int BATCH = 200;
    private static final int MAX_ERROR = 500;
    private static final long WAKE_GRID_MS = 50;

    private final WebhookDeliveryRepository deliveries;
    private final WebhookRepository webhooks;
    private final CustomerServiceConfig.Webhooks config;
    private final MeterRegistry metrics;
    private final Clock clock;
    private final HttpClient http;
    private final ExecutorService senders;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService waker;
    /** The moments (epoch ms, on a {@value #WAKE_GRID_MS} ms grid) of the sweeps asked for here and not yet begun. */
    private final Set<Long> wakes = ConcurrentHashMap.newKeySet();

    public WebhookSender(WebhookDeliveryRepository deliveries, WebhookRepository webhooks, CustomerServiceConfig config,
            MeterRegistry metrics, Clock clock) {
        this.deliveries = deliveries;
        this.webhooks = webhooks;
        this.config = config.webhooks();
        this.metrics = metrics;
        for (String outcome : List.of("delivered", "failed", "retried")) {
            metrics.counter("handover.webhook.deliveries", "outcome", outcome);
        }
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(this.config.timeout()).build();
        AtomicInteger names = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(Math.max(1, this.config.threads()), task -> {
            Thread thread = new Thread(task, "webhook-" + names.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.waker = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "webhook-waker");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** What a stopped or killed process left due is looked for at once, not at the first tick. */
    void start(@Observes StartupEvent startup) {
        wakeAt(clock.instant());
    }

    @PreDestroy
    void stop() {
        waker.shutdownNow();
        senders.shutdownNow();
    }

    /**
     * A delivery becomes due at {@code at}: a sweep runs then, rounded up to the next {@value #WAKE_GRID_MS} ms, so
     * that a burst of deliveries is looked for once, not once each. A sweep finds every delivery stored before it
     * begins; one stored after asks for a sweep of its own.
     */
    public void wakeAt(Instant at) {
        long when = Math.floorDiv(at.toEpochMilli() + WAKE_GRID_MS - 1, WAKE_GRID_MS) * WAKE_GRID_MS;
        if (wakes.add(when)) {
            try {
                waker.schedule(() -> wake(when), Math.max(0, when - clock.millis()), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException stopping) {
                wakes.remove(when);
            }
        }
    }

    /** The sweep asked for at {@code when}; again soon when it found a full batch or the database failed it. */
    private void wake(long when) {
        wakes.remove(when);
        try {
            if (sweep() == BATCH) {
                wakeAt(clock.instant());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Due webhook deliveries not looked for, again in %s: %s", config.initialBackoff(), e.toString());
            wakeAt(clock.instant().plus(config.initialBackoff()));
        }
    }

    @Scheduled(every = "{handover.webhooks.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        sweep();
    }

    /** Hands every due delivery (up to a batch) to the sending threads; how many it found. */
    int sweep() {
        List<WebhookDelivery> found = deliveries.due(clock.instant(), BATCH);
        for (WebhookDelivery due : found) {
            if (inFlight.add(due.id)) {
                try {
                    senders.execute(() -> {
                        try {
                            attempt(due);
                        } catch (RuntimeException e) {
                            LOG.warnf("Webhook delivery %s not attempted, tried again later: %s", due.id, e.toString());
                            // due again at once if it was not claimed, when its lease ends if it was
                            Instant now = clock.instant();
                            wakeAt(now.plus(config.initialBackoff()));
                            wakeAt(lease(now));
                        } finally {
                            inFlight.remove(due.id);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    inFlight.remove(due.id);
                }
            }
        }
        return found.size();
    }

    void attempt(WebhookDelivery due) {
        Instant now = clock.instant();
        WebhookDelivery head = deliveries.head(due.stream);
        if (head != null && !head.id.equals(due.id)) {
            // an earlier event of this customer goes first: wait for its next try
            Instant later = head.nextAt != null && head.nextAt.isAfter(now) ? head.nextAt : now.plus(config.initialBackoff());
            deliveries.dueAt(due.id, later);
            wakeAt(later);
            return;
        }
        Webhook webhook = webhooks.findById(due.webhookId);
        if (webhook == null) {
            deliveries.settle(due.id, WebhookDelivery.FAILED, null, null, "The webhook was removed", null);
            return;
        }
        WebhookDelivery claimed = deliveries.claim(due, now, lease(now));
        if (claimed == null) {
            return;
        }
        Integer status = null;
        String error = null;
        try {
            HttpResponse<Void> answer = http.send(request(webhook, claimed), HttpResponse.BodyHandlers.discarding());
            status = answer.statusCode();
            if (status / 100 != 2) {
                error = "HTTP " + status;
            }
        } catch (IOException e) {
            error = e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "Interrupted";
        }
        Instant after = clock.instant();
        if (error == null) {
            deliveries.settle(claimed.id, WebhookDelivery.DELIVERED, null, status, null, after);
            next(claimed.stream, after);
            count("delivered");
        } else if (!after.isBefore(claimed.createdAt.plus(config.giveUpAfter()))) {
            LOG.warnf("Webhook %s gave up on delivery %s after %d attempts: %s", webhook.id, claimed.id, claimed.attempts, error);
            deliveries.settle(claimed.id, WebhookDelivery.FAILED, null, status, truncate(error), null);
            next(claimed.stream, after);
            count("failed");
        } else {
            Instant retry = after.plus(backoff(claimed.attempts));
            deliveries.settle(claimed.id, WebhookDelivery.PENDING, retry, status, truncate(error), null);
            wakeAt(retry);
            count("retried");
        }
    }

    /** The stream's next delivery may go now. */
    private void next(String stream, Instant now) {
        WebhookDelivery next = deliveries.head(stream);
        if (next != null) {
            deliveries.dueAt(next.id, now);
            wakeAt(now);
        }
    }

    private HttpRequest request(Webhook webhook, WebhookDelivery delivery) {
        byte[] body = delivery.payload.getBytes(StandardCharsets.UTF_8);
        return HttpRequest.newBuilder(URI.create(webhook.url)).timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Handover-Webhooks/1")
                .header("X-Handover-Event", delivery.eventType)
                .header("X-Handover-Delivery", delivery.id)
                .header("X-Handover-Signature-256", signature(webhook.secret, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /** {@code sha256=} and the hex HMAC-SHA256 of {@code body} with {@code secret}. */
    public static String signature(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Until when an attempt begun {@code now} holds its delivery: a sender that died leaves it due after that. */
    private Instant lease(Instant now) {
        return now.plus(config.timeout()).plusSeconds(5);
    }

    private Duration backoff(int attempts) {
        long base = config.initialBackoff().toMillis() << Math.min(Math.max(0, attempts - 1), 20);
        long capped = Math.min(base, config.maxBackoff().toMillis());
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private void count(String outcome) {
        metrics.counter("handover.webhook.deliveries", "outcome", outcome).increment();
    }

    private static String truncate(String error) {
        return error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error;
    }
}
