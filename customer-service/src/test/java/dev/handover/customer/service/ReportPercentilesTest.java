package dev.handover.customer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The reports' p50 and p90 by the nearest-rank method, on values whose answer is known. */
class ReportPercentilesTest {

    @Test
    void nearestRankOnKnownValues() {
        // 1..10 seconds, given out of order: p50 is the 5th value, p90 the 9th
        List<Long> tenValues = new ArrayList<>(List.of(7L, 3L, 10L, 1L, 9L, 2L, 8L, 5L, 4L, 6L));
        assertEquals(Map.of("p50", 5L, "p90", 9L), ReportService.percentiles(tenValues));
        assertEquals(Map.of("p50", 42L, "p90", 42L), ReportService.percentiles(List.of(42L)));
        // 1..20: ceil(0.5 * 20) = 10th, ceil(0.9 * 20) = 18th
        List<Long> twenty = new ArrayList<>();
        for (long v = 20; v >= 1; v--) {
            twenty.add(v * 60);
        }
        assertEquals(Map.of("p50", 600L, "p90", 1080L), ReportService.percentiles(twenty));
        Map<String, Long> none = ReportService.percentiles(List.of());
        assertNull(none.get("p50"));
        assertNull(none.get("p90"));
    }
}
