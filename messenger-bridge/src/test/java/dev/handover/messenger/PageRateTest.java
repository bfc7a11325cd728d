package dev.handover.messenger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.handover.messenger.repository.PageRateRepository;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The per-page count that every replica shares: no call is lost, and each second starts over. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class PageRateTest {

    @Inject
    PageRateRepository rates;

    @Test
    void callsFromReplicasRacingInOneSecondAreAllCounted() throws Exception {
        String page = "rate-" + UUID.randomUUID();
        long second = 1_000_000;
        // eight "replicas" (threads with their own calls) take 50 calls each of the same page and second
        ExecutorService replicas = Executors.newFixedThreadPool(8);
        List<Callable<List<Long>>> work = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            work.add(() -> {
                List<Long> counts = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    counts.add(rates.take(page, second));
                }
                return counts;
            });
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> counts : replicas.invokeAll(work)) {
            all.addAll(counts.get());
        }
        replicas.shutdown();
        // every call counted: the next one is the 401st (MongoDB also returns each count once; the embedded wire
        // server may return a count twice under contention, which lets a page exceed its rate by a few calls)
        assertEquals(401, rates.take(page, second));
        assertTrue(all.stream().allMatch(count -> count >= 1 && count <= 400), "counts out of range: " + all);
        assertEquals(1, rates.take(page, second + 1), "a new second starts a new count");
        assertEquals(1, rates.take("other-" + page, second), "pages are counted apart");
    }
}
