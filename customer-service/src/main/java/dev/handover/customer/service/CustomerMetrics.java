package dev.handover.customer.service;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.repository.CustomerRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;

/**
 * What an operator watches about customers: how many wait for an agent, how long until one takes them, and
 * until the first answer. No per-company labels: cardinality stays flat however many companies there are.
 */
@ApplicationScoped
public class CustomerMetrics {

    private final CustomerRepository customers;
    private final AtomicLong waiting = new AtomicLong();
    private final Timer toAssignment;
    private final Timer toFirstResponse;

    public CustomerMetrics(CustomerRepository customers, MeterRegistry registry) {
        this.customers = customers;
        registry.gauge("handover.customers.waiting", waiting);
        this.toAssignment = Timer.builder("handover.wait.to.assignment")
                .description("From a customer's request for a human to an agent taking them")
                .publishPercentileHistogram().register(registry);
        this.toFirstResponse = Timer.builder("handover.first.response")
                .description("From a customer's request for a human to the first agent message")
                .publishPercentileHistogram().register(registry);
    }

    /** Counted every 15 s rather than at each scrape: one query, whatever the number of scrapers. */
    @Scheduled(every = "15s")
    void countWaiting() {
        waiting.set(customers.countWaitingForAgent());
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
