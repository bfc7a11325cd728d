package dev.handover.messenger.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import dev.handover.events.TraceContext;
import dev.handover.messenger.config.BridgeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Signed webhooks on disk until their events are in Kafka. A body is written and forced to disk before Facebook
 * is answered, so the answer never waits for Kafka, MongoDB or the Graph API, and a bridge killed afterwards
 * loses nothing: on start it takes up where it stopped. One thread takes the bodies to {@link WebhookService}
 * in the order they came, in batches, retrying the oldest batch (with backoff) until it is through. A body's file
 * name carries the trace of the request that brought it ({@code <sequence>_<traceparent>.json}), so that its events
 * continue that trace whenever they reach Kafka.
 */
@ApplicationScoped
public class WebhookSpool {

    private static final Logger LOG = Logger.getLogger(WebhookSpool.class);
    private static final String SUFFIX = ".json";
    private static final int SEQUENCE_DIGITS = 19;

    /** The spool holds its maximum: the webhook must be answered 503. */
    public static final class Full extends Exception {
        Full(String message) {
            super(message, null, false, false);
        }
    }

    private final BridgeConfig config;
    private final WebhookService webhooks;
    private final Path dir;
    private final Path rejected;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Semaphore arrived = new Semaphore(0);
    private volatile boolean running;
    private Thread drainer;

    public WebhookSpool(BridgeConfig config, WebhookService webhooks, MeterRegistry metrics) {
        this.config = config;
        this.webhooks = webhooks;
        this.dir = Path.of(config.spool().dir()).toAbsolutePath();
        this.rejected = dir.resolve("rejected");
        metrics.gauge("handover.webhook.spool.bodies", waiting);
    }

    void start(@Observes StartupEvent event) throws IOException {
        Files.createDirectories(rejected);
        try (Stream<Path> files = Files.list(dir)) {
            // a body cut off while being written was never acknowledged: Facebook sends it again
            for (Path partial : files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList()) {
                Files.delete(partial);
            }
        }
        List<Path> left = bodies();
        waiting.set(left.size());
        if (!left.isEmpty()) {
            sequence.set(number(left.get(left.size() - 1)) + 1);
            LOG.infof("%d webhook bodies waiting in %s from before the restart", left.size(), dir);
        }
        running = true;
        drainer = new Thread(this::drain, "webhook-spool");
        drainer.setDaemon(true);
        drainer.start();
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (drainer != null) {
            drainer.interrupt();
            drainer.join(Duration.ofSeconds(5).toMillis());
        }
    }

    /**
     * Keeps {@code body} on disk (forced) for the drainer, with the current trace; returns once it would survive a
     * crash.
     */
    public void append(byte[] body) throws Full {
        if (waiting.get() >= config.spool().maxBodies()) {
            throw new Full(waiting.get() + " webhook bodies are waiting for Kafka");
        }
        String traceparent = TraceContext.current();
        String name = String.format("%0" + SEQUENCE_DIGITS + "d", sequence.getAndIncrement())
                + (traceparent == null ? "" : "_" + traceparent);
        Path temporary = dir.resolve(name + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(body);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Files.move(temporary, dir.resolve(name + SUFFIX), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        waiting.incrementAndGet();
        arrived.release();
    }

    /** Bodies waiting now. */
    public int waiting() {
        return waiting.get();
    }

    private void drain() {
        long backoff = config.spool().initialBackoff().toMillis();
        boolean probing = false;
        while (running) {
            try {
                List<Path> bodies = bodies();
                if (bodies.isEmpty()) {
                    arrived.tryAcquire(1, TimeUnit.SECONDS);
                    arrived.drainPermits();
                    continue;
                }
                int from = 0;
                while (from < bodies.size()) {
                    // after a failure one body alone first: a batch sent to a broker that is just coming back can
                    // lose its first records and keep later ones, which would put a conversation out of order
                    int size = probing ? 1 : Math.max(1, config.spool().batch());
                    List<Path> batch = bodies.subList(from, Math.min(bodies.size(), from + size));
                    take(batch);
                    from += batch.size();
                    probing = false;
                }
                backoff = config.spool().initialBackoff().toMillis();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | IOException e) {
                probing = true;
                LOG.warnf("Webhook events not in Kafka yet (%d waiting), trying again in %d ms: %s", waiting.get(),
                        backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, config.spool().maxBackoff().toMillis());
            }
        }
    }

    /**
     * A batch through {@link WebhookService} to Kafka (one de-duplication query, one publication), then off the
     * disk; a body that cannot be read as a webhook is set aside first.
     */
    private void take(List<Path> batch) throws IOException, InterruptedException {
        List<Path> taken = new ArrayList<>();
        List<WebhookService.Body> bodies = new ArrayList<>();
        for (Path body : batch) {
            byte[] content = Files.readAllBytes(body);
            try {
                webhooks.validate(content);
                taken.add(body);
                bodies.add(new WebhookService.Body(content, traceparent(body)));
            } catch (WebhookService.MalformedWebhook e) {
                LOG.errorf("Webhook body %s set aside in %s: %s", body.getFileName(), rejected, e.getMessage());
                Files.move(body, rejected.resolve(body.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                waiting.decrementAndGet();
            }
        }
        try {
            webhooks.accept(bodies);
        } catch (WebhookService.MalformedWebhook e) {
            throw new IllegalStateException("a validated body became malformed", e);
        }
        for (Path body : taken) {
            Files.delete(body);
            waiting.decrementAndGet();
        }
    }

    private List<Path> bodies() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
    }

    private static long number(Path body) {
        return Long.parseLong(body.getFileName().toString().substring(0, SEQUENCE_DIGITS));
    }

    /** The trace a body's name carries, or {@code null}. */
    private static String traceparent(Path body) {
        String name = body.getFileName().toString();
        int from = SEQUENCE_DIGITS + 1;
        return name.length() > from + SUFFIX.length() && name.charAt(SEQUENCE_DIGITS) == '_'
                ? name.substring(from, name.length() - SUFFIX.length()) : null;
    }
}
