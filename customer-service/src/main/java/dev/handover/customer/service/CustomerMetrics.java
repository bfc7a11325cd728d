package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.CustomerRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;

/**
 * What an operator watches about customers: how many wait for an agent, the longest wait, how many are past their
 * company's maximum wait (the lifecycle should have handed them back to the bot), how long until an agent takes
 * them, and until the first answer. Companies are grouped into {@link #BUCKETS} buckets ({@code company_bucket},
 * see {@link #bucket(String)}): a company's trouble shows in its bucket, and cardinality stays flat however many
 * companies there are.
 */
@ApplicationScoped
@Startup
public class CustomerMetrics {

    /** How many {@code company_bucket} values there are. */
    public static final int BUCKETS = 16;
    /** Waiting customers read per count: far above any real queue, a bound on the work if one ever is not. */
    private static final int MOST_WAITING = 100_000;

    private final CustomerRepository customers;
    private final Clock clock;
    private final AtomicLongArray waiting = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray longestWaitSeconds = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray pastMaxWait = new AtomicLongArray(BUCKETS);
    private final Timer toAssignment;
    private final Timer toFirstResponse;

    public CustomerMetrics(CustomerRepository customers, Clock clock, MeterRegistry registry) {
        this.customers = customers;
        this.clock = clock;
        for (int b = 0; b < BUCKETS; b++) {
            int bucket = b;
            String tag = Integer.toString(b);
            Gauge.builder("handover.customers.waiting", waiting, w -> w.get(bucket)).tag("company_bucket", tag)
                    .description("Customers waiting for an agent").register(registry);
            Gauge.builder("handover.customers.longest.wait", longestWaitSeconds, w -> w.get(bucket)).tag("company_bucket", tag)
                    .baseUnit("seconds").description("How long the longest-waiting customer has waited").register(registry);
            Gauge.builder("handover.customers.past.max.wait", pastMaxWait, w -> w.get(bucket)).tag("company_bucket", tag)
                    .description("Customers still waiting after their company's max_wait_seconds").register(registry);
        }
        this.toAssignment = Timer.builder("handover.wait.to.assignment")
                .description("From a customer's request for a human to an agent taking them")
                .publishPercentileHistogram().register(registry);
        this.toFirstResponse = Timer.builder("handover.first.response")
                .description("From a customer's request for a human to the first agent message")
                .publishPercentileHistogram().register(registry);
    }

    /** A company's {@code company_bucket}: the same on every replica and release (Java's string hash is specified). */
    public static int bucket(String companyId) {
        return Math.floorMod(companyId.hashCode(), BUCKETS);
    }

    /**
     * Counted every {@code handover.metrics.interval} rather than at each scrape: one query, whatever the number of
     * scrapers.
     */
    @Scheduled(every = "{handover.metrics.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void countWaiting() {
        Tally tally = Tally.of(customers.waitingForAgent(MOST_WAITING), clock.instant());
        for (int b = 0; b < BUCKETS; b++) {
            waiting.set(b, tally.waiting()[b]);
            longestWaitSeconds.set(b, tally.longestWaitSeconds()[b]);
            pastMaxWait.set(b, tally.pastMaxWait()[b]);
        }
    }

    /** The waiting customers' figures per {@code company_bucket}. */
    record Tally(long[] waiting, long[] longestWaitSeconds, long[] pastMaxWait) {

        static Tally of(Iterable<Customer> waitingCustomers, Instant now) {
            Tally t = new Tally(new long[BUCKETS], new long[BUCKETS], new long[BUCKETS]);
            for (Customer c : waitingCustomers) {
                int b = bucket(c.companyId);
                t.waiting[b]++;
                if (c.stoppedAt != null) {
                    t.longestWaitSeconds[b] = Math.max(t.longestWaitSeconds[b], Duration.between(c.stoppedAt, now).toSeconds());
                }
                if (c.dueAt != null && c.dueAt.isBefore(now)) {
                    t.pastMaxWait[b]++;
                }
            }
            return t;
        }
    }

    void assigned(Instant stoppedAt, Instant at) {
        record(toAssignment, stoppedAt, at);
    }

    void firstResponse(Instant stoppedAt, Instant at) {
        record(toFirstResponse, stoppedAt, at);
    }

    private static void record(Timer timer, Instant from, Instant to) {
        if (from != null && to != null && !to.isBefore(from)) {
            timer.record(Duration.between(from, to));
        }
    }
}
