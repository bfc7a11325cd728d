package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.handover.customer.model.CompanySettings;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import io.quarkus.scheduler.Scheduled;

/**
 * The rules time applies to a customer. An agent who has not answered for the company's
 * {@code response_timeout_seconds} (from taking the customer, or from the customer's first unanswered message)
 * loses them to the queue ({@code reason: "no_response"}); a customer nobody took for {@code max_wait_seconds}
 * is told so ({@code max_wait_message}) and goes back to the bot ({@code reason: "max_wait"}). When a rule may
 * next act is kept on the customer ({@code due_at}, indexed), computed here and only here: the sweep reads
 * exactly the due customers whatever the store holds, nothing lives only in memory (a restart loses no timer),
 * and the version-checked write makes a rule act once even when several replicas sweep at the same moment.
 */
@ApplicationScoped
public class Lifecycle {

    private static final Logger LOG = Logger.getLogger(Lifecycle.class);
    private static final int BATCH = 200;

    private final CustomerRepository customers;
    private final SettingsService settings;
    private final CustomerService rules;
    private final QueueService queue;
    private final Event<CustomerChanged> changed;
    private final Clock clock;

    public Lifecycle(CustomerRepository customers, SettingsService settings, CustomerService rules, QueueService queue,
            Event<CustomerChanged> changed, Clock clock) {
        this.customers = customers;
        this.queue = queue;
        this.settings = settings;
        this.rules = rules;
        this.changed = changed;
        this.clock = clock;
    }

    /** Sets {@code due_at}: the earliest moment a rule may act on the customer as they now are. */
    public static void schedule(Customer c, CompanySettings s) {
        Instant response = responseDue(c, s);
        Instant wait = waitDue(c, s);
        c.dueAt = response == null ? wait : wait == null || response.isBefore(wait) ? response : wait;
    }

    static Instant responseDue(Customer c, CompanySettings s) {
        return c.isAssigned() && s.responseTimeoutSeconds > 0 && c.awaitingReplySince != null
                ? c.awaitingReplySince.plusSeconds(s.responseTimeoutSeconds) : null;
    }

    static Instant waitDue(Customer c, CompanySettings s) {
        Instant since = c.queuedAt != null ? c.queuedAt : c.stoppedAt;
        return c.stop && !c.isAssigned() && s.maxWaitSeconds > 0 && since != null ? since.plusSeconds(s.maxWaitSeconds) : null;
    }

    /** Applies the rules to every customer they are due for (the scheduler calls it every tick). */
    @Scheduled(every = "{handover.lifecycle.tick}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void sweep() {
        List<String> due = customers.due(clock.instant(), BATCH);
        for (String key : due) {
            try {
                expire(key);
            } catch (RuntimeException e) {
                LOG.warnf("Lifecycle rules on %s failed, tried again on the next sweep: %s", key, e.toString());
            }
        }
    }

    /** Applies what is due to one customer now, if it still is when the write lands; safe to call from anywhere. */
    public void expire(String key) {
        Instant now = clock.instant();
        Message[] told = new Message[1];
        boolean written = customers.change(key, null, c -> {
            if (c == null || c.dueAt == null || c.dueAt.isAfter(now)) {
                return new Decision.Keep<>(false);
            }
            told[0] = null;
            CompanySettings s = settings.recent(c.companyId);
            Instant response = responseDue(c, s);
            Instant wait = waitDue(c, s);
            if (response != null && !response.isAfter(now)) {
                rules.release(c, Outbox.SYSTEM, Reason.NO_RESPONSE);
            } else if (wait != null && !wait.isAfter(now)) {
                Duration waited = Duration.between(c.stoppedAt != null ? c.stoppedAt : wait, now);
                Integer position = queue.of(c).position();
                String text = s.maxWaitMessage.replace("{minutes}", Long.toString(Math.max(1, waited.toMinutes())))
                        .replace("{position}", position == null ? "" : position.toString());
                if (!text.isBlank()) {
                    told[0] = rules.notice(c, text, now);
                }
                rules.applyStop(c, false, Outbox.SYSTEM, Reason.MAX_WAIT);
            }
            schedule(c, s);
            return new Decision.Write<>(true);
        });
        if (written) {
            if (told[0] != null) {
                rules.keep(told[0]);
            }
            changed.fire(new CustomerChanged(key));
        }
    }
}
