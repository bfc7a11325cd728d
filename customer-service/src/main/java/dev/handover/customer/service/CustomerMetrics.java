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
    /** Overdue customers read per count: the lifecycle hands them on within a tick; a bound if it ever does not. */
    private static final int MOST_OVERDUE = 10_000;

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
     * Counted every {@code handover.metrics.interval} rather than at each scrape, whatever the number of scrapers, and
     * from indexes: per company, one look-up of the next company, a count of its queue from index entries and its
     * first in line; then the customers past their due time. No waiting customer is read but the longest-waiting of each
     * company and those overdue: reading every waiting customer once a minute cost the idle store the most of its work
     * with 10,000 of them.
     */
    @Scheduled(every = "{handover.metrics.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void countWaiting() {
        Instant now = clock.instant();
        Tally tally = new Tally();
        for (String company = customers.nextCompany(null); company != null; company = customers.nextCompany(company)) {
            long queued = customers.waiting(company);
            if (queued > 0) {
                tally.queue(company, queued, customers.longestWaitingSince(company), now);
            }
        }
        customers.overdue(now, MOST_OVERDUE).forEach(c -> tally.overdue(c, now));
        for (int b = 0; b < BUCKETS; b++) {
            waiting.set(b, tally.waiting[b]);
            longestWaitSeconds.set(b, tally.longestWaitSeconds[b]);
            pastMaxWait.set(b, tally.pastMaxWait[b]);
        }
    }

    /** The waiting customers' figures per {@code company_bucket}. */
    static final class Tally {
        final long[] waiting = new long[BUCKETS];
        final long[] longestWaitSeconds = new long[BUCKETS];
        final long[] pastMaxWait = new long[BUCKETS];

        /** A company's queue: how many wait in it, and since when the first of them. */
        void queue(String companyId, long queued, Instant longestSince, Instant now) {
            int b = bucket(companyId);
            waiting[b] += queued;
            if (longestSince != null) {
                longestWaitSeconds[b] = Math.max(longestWaitSeconds[b], Duration.between(longestSince, now).toSeconds());
            }
        }

        /** A customer whose due time passed: counted when they still wait (their maximum wait is over). */
        void overdue(Customer c, Instant now) {
            if (c.stop && !c.isAssigned() && c.dueAt != null && c.dueAt.isBefore(now)) {
                pastMaxWait[bucket(c.companyId)]++;
            }
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
