package dev.handover.customer.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.handover.customer.model.Customer;

/** The waiting figures per company bucket: counted, the longest wait, and who is past the company's maximum. */
class CustomerMetricsTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    @Test
    void eachCompanyCountsInItsOwnBucketOnly() {
        String acme = "acme";
        String other = companyInAnotherBucketThan(acme);
        var tally = new CustomerMetrics.Tally();
        tally.queue(acme, 3, NOW.minusSeconds(600), NOW);
        tally.queue(other, 1, NOW.minusSeconds(3600), NOW);
        tally.overdue(waiting(acme, -60), NOW);
        tally.overdue(waiting(other, -1), NOW);

        int a = CustomerMetrics.bucket(acme);
        int o = CustomerMetrics.bucket(other);
        assertEquals(3, tally.waiting[a]);
        assertEquals(600, tally.longestWaitSeconds[a]);
        assertEquals(1, tally.pastMaxWait[a]);
        assertEquals(1, tally.waiting[o]);
        assertEquals(3600, tally.longestWaitSeconds[o]);
        assertEquals(1, tally.pastMaxWait[o]);
        assertEquals(4, java.util.Arrays.stream(tally.waiting).sum());
    }

    @Test
    void onlyWaitingCustomersPastTheirDueTimeArePastTheMaximumWait() {
        var tally = new CustomerMetrics.Tally();
        Customer taken = waiting("acme", -60);
        taken.agentId = "alice";
        Customer backWithTheBot = waiting("acme", -60);
        backWithTheBot.stop = false;
        tally.overdue(taken, NOW);
        tally.overdue(backWithTheBot, NOW);
        tally.overdue(waiting("acme", 0), NOW);
        tally.overdue(waiting("acme", 30), NOW);
        assertEquals(0, tally.pastMaxWait[CustomerMetrics.bucket("acme")],
                "taken, with the bot, due right now or later: none is past the maximum wait");
        tally.overdue(waiting("acme", -1), NOW);
        assertEquals(1, tally.pastMaxWait[CustomerMetrics.bucket("acme")]);
    }

    @Test
    void nobodyWaitingIsZeroEverywhereAndBucketsAreStable() {
        var tally = new CustomerMetrics.Tally();
        tally.queue("acme", 2, null, NOW);
        assertEquals(2, tally.waiting[CustomerMetrics.bucket("acme")]);
        assertEquals(0, tally.longestWaitSeconds[CustomerMetrics.bucket("acme")], "no known start: no wait counted");
        var empty = new CustomerMetrics.Tally();
        assertArrayEquals(new long[CustomerMetrics.BUCKETS], empty.waiting);
        assertArrayEquals(new long[CustomerMetrics.BUCKETS], empty.longestWaitSeconds);
        // the string hash is specified by Java: the same bucket on every replica and release
        assertEquals(Math.floorMod(3_057_424, CustomerMetrics.BUCKETS), CustomerMetrics.bucket("co-1"));
    }

    private static String companyInAnotherBucketThan(String company) {
        for (int i = 0;; i++) {
            String other = "company-" + i;
            if (CustomerMetrics.bucket(other) != CustomerMetrics.bucket(company)) {
                assertNotEquals(company, other);
                return other;
            }
        }
    }

    /** A waiting customer of {@code company} whose max wait ends in {@code dueInSeconds}. */
    private static Customer waiting(String company, int dueInSeconds) {
        Customer c = new Customer();
        c.companyId = company;
        c.stop = true;
        c.dueAt = NOW.plusSeconds(dueInSeconds);
        return c;
    }
}
