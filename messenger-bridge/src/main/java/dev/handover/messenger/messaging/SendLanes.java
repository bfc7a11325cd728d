package dev.handover.messenger.messaging;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.messenger.config.BridgeConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;

/**
 * Runs sends in parallel while each conversation keeps its order. A conversation always maps to the same lane of
 * its page ({@code messenger.send.lanes-per-page} lanes per page), each lane runs one task at a time, and all lanes
 * share {@code messenger.send.concurrency} threads: a page that is paused or slow holds back only its own lanes,
 * never another page's, whatever Kafka partition their records share. {@link #admit()} bounds what is in flight.
 */
@ApplicationScoped
@Startup // created at start, so that its metrics are exposed (at 0) before the first send
public class SendLanes {

    private final int lanesPerPage;
    private final int maxInFlight;
    private final ExecutorService threads;
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final AtomicInteger running = new AtomicInteger();
    private int inFlight;
    private CompletableFuture<Void> waiting;

    public SendLanes(BridgeConfig config, MeterRegistry metrics) {
        this.lanesPerPage = Math.max(1, config.send().lanesPerPage());
        this.maxInFlight = Math.max(1, config.send().maxInFlight());
        int size = Math.max(1, config.send().concurrency());
        AtomicInteger names = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(size, size, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                task -> {
                    Thread thread = new Thread(task, "send-lane-" + names.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.threads = pool;
        metrics.gauge("handover.send.in_flight", running);
    }

    /**
     * Completes when one more record may be taken: at once below {@code messenger.send.max-in-flight}, otherwise
     * when a send in flight settles. Each admission is paired with one {@link #submit}.
     */
    public synchronized CompletionStage<Void> admit() {
        if (inFlight < maxInFlight) {
            inFlight++;
            return CompletableFuture.completedFuture(null);
        }
        waiting = new CompletableFuture<>();
        return waiting;
    }

    /** Runs {@code task} after everything submitted before for the same page and conversation. */
    public CompletableFuture<Void> submit(String pageId, String customerId, Runnable task) {
        String lane = pageId + '#' + Math.floorMod(customerId.hashCode(), lanesPerPage);
        CompletableFuture<?>[] created = new CompletableFuture<?>[1];
        CompletableFuture<Void> done = tails.compute(lane, (key, tail) -> {
            CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            CompletableFuture<Void> next = previous.handle((ignored, error) -> null).thenRunAsync(() -> {
                running.incrementAndGet();
                try {
                    task.run();
                } finally {
                    running.decrementAndGet();
                }
            }, threads);
            created[0] = next;
            return next;
        });
        done.whenComplete((ignored, error) -> {
            tails.remove(lane, created[0]);
            release();
        });
        return done;
    }

    private void release() {
        CompletableFuture<Void> next;
        synchronized (this) {
            next = waiting;
            waiting = null;
            if (next == null) {
                inFlight--;
            }
        }
        if (next != null) {
            next.complete(null); // the settled send's place goes to the record that waited for it
        }
    }

    @PreDestroy
    void stop() {
        threads.shutdownNow();
    }
}
