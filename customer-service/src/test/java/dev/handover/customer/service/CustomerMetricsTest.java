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
        var tally = CustomerMetrics.Tally.of(List.of(waiting(acme, 600, -60), waiting(acme, 30, 1770), waiting(acme, 5, null),
                waiting(other, 3600, -1)), NOW);

        int a = CustomerMetrics.bucket(acme);
        int o = CustomerMetrics.bucket(other);
        assertEquals(3, tally.waiting()[a]);
        assertEquals(600, tally.longestWaitSeconds()[a]);
        assertEquals(1, tally.pastMaxWait()[a], "only the one whose max wait ended a minute ago");
        assertEquals(1, tally.waiting()[o]);
        assertEquals(3600, tally.longestWaitSeconds()[o]);
        assertEquals(1, tally.pastMaxWait()[o]);
        assertEquals(4, java.util.Arrays.stream(tally.waiting()).sum());
    }

    @Test
    void nobodyWaitingIsZeroEverywhereAndBucketsAreStable() {
        var tally = CustomerMetrics.Tally.of(List.of(), NOW);
        assertArrayEquals(new long[CustomerMetrics.BUCKETS], tally.waiting());
        assertArrayEquals(new long[CustomerMetrics.BUCKETS], tally.longestWaitSeconds());
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

    /** A customer waiting {@code waitedSeconds}, whose max wait ends in {@code dueInSeconds} (null: no max wait). */
    private static Customer waiting(String company, long waitedSeconds, Integer dueInSeconds) {
        Customer c = new Customer();
        c.companyId = company;
        c.stop = true;
        c.stoppedAt = NOW.minusSeconds(waitedSeconds);
        c.dueAt = dueInSeconds == null ? null : NOW.plusSeconds(dueInSeconds);
        return c;
    }
}
