package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;

/**
 * A company's queue: the customers who asked for a human and whom nobody has taken, first come first served
 * (by {@code stopped_at}). Where a waiting customer stands ({@code queue_position}, 1 = next) and how long they
 * may still wait ({@code estimated_wait_seconds}: their position times the time between the company's
 * assignments over the last hour; {@code null} with fewer than {@value #MIN_TAKES} of them) are computed here
 * and nowhere else.
 */
@ApplicationScoped
public class QueueService {

    /** Positions are read for this many customers at once; any further back are counted one by one. */
    static final int READ_AHEAD = 1000;
    static final int MIN_TAKES = 3;
    static final Duration RECENT = Duration.ofHours(1);

    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final Clock clock;
    private final Recent<String, Optional<Double>> paces;

    public QueueService(CustomerRepository customers, AuditRepository audit, Clock clock) {
        this.customers = customers;
        this.audit = audit;
        this.clock = clock;
        this.paces = new Recent<>(SettingsService.RECENT, clock);
    }

    /** Where a customer stands; both {@code null} for one who is not waiting in the queue. */
    public record Place(Integer position, Long estimatedWaitSeconds) {
        static final Place NONE = new Place(null, null);
    }

    /** The company's queue as it is now, to place any number of its customers. */
    public final class Queue {
        private final Map<String, Integer> positions;
        private final Double secondsPerTake;

        private Queue(Map<String, Integer> positions, Double secondsPerTake) {
            this.positions = positions;
            this.secondsPerTake = secondsPerTake;
        }

        public Place of(Customer c) {
            if (!c.stop || c.isAssigned() || c.stoppedAt == null) {
                return Place.NONE;
            }
            Integer position = positions.get(c.id);
            if (position == null) {
                position = (int) Math.min(Integer.MAX_VALUE, customers.queuedBefore(c.companyId, c.stoppedAt) + 1);
            }
            return new Place(position, secondsPerTake == null ? null : Math.round(position * secondsPerTake));
        }
    }

    public Queue of(String companyId) {
        List<String> ids = customers.queue(companyId, READ_AHEAD);
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            positions.put(ids.get(i), i + 1);
        }
        return new Queue(positions, secondsPerTake(companyId));
    }

    /** One customer's place, without reading the queue ahead. */
    public Place of(Customer c) {
        if (!c.stop || c.isAssigned()) {
            return Place.NONE;
        }
        return new Queue(Map.of(), secondsPerTake(c.companyId)).of(c);
    }

    /**
     * An assignment of the company was written to the audit log here: its pace is counted again on next use
     * (another replica's is seen within {@link SettingsService#RECENT}).
     */
    public void assignmentRecorded(String companyId) {
        paces.forget(companyId);
    }

    /**
     * Seconds between the company's assignments over the last hour, counted at most {@link SettingsService#RECENT}
     * ago: counting the audit log for every customer who asks for a human cost a database command each.
     */
    private Double secondsPerTake(String companyId) {
        return paces.get(companyId, id -> {
            long takes = audit.countSince(id, "assigned", clock.instant().minus(RECENT));
            return Optional.ofNullable(takes < MIN_TAKES ? null : (double) RECENT.toSeconds() / takes);
        }).orElse(null);
    }
}
