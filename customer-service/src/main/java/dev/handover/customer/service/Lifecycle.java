package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.handover.customer.model.Agent;
import dev.handover.customer.model.CompanySettings;
import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import io.quarkus.scheduler.Scheduled;

/**
 * The rules time applies to a customer. An agent offline for the company's {@code presence_grace_seconds} loses
 * their customers to the queue ({@code reason: "agent_offline"}; the due time is the agent's {@code lease_due_at},
 * set by {@link PresenceService}). An agent who has not answered for the company's
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
    private final AgentRepository agents;
    private final PresenceService presence;
    private final Event<CustomerChanged> changed;
    private final Clock clock;

    public Lifecycle(CustomerRepository customers, SettingsService settings, CustomerService rules, QueueService queue,
            AgentRepository agents, PresenceService presence, Event<CustomerChanged> changed, Clock clock) {
        this.agents = agents;
        this.presence = presence;
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

    /**
     * Applies the rules to every customer they are due for, forgets gateway instances that stopped reporting,
     * and sends the customers of agents offline past the grace back to the queue (the scheduler calls it every tick).
     */
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
        try {
            presence.expire();
        } catch (RuntimeException e) {
            LOG.warnf("Expiring presence reports failed, tried again on the next sweep: %s", e.toString());
        }
        for (Agent agent : agents.leaseDue(clock.instant(), BATCH)) {
            try {
                endLease(agent);
            } catch (RuntimeException e) {
                LOG.warnf("Releasing the customers of offline agent %s failed, tried again on the next sweep: %s", agent.id,
                        e.toString());
            }
        }
    }

    /**
     * An agent offline past their company's {@code presence_grace_seconds}: each of their customers goes back to
     * the queue ({@code reason: "agent_offline"}), each by its own version-checked write, so a customer is released
     * once however many replicas sweep; then the lease is cleared. An agent back in the meantime keeps them.
     */
    void endLease(Agent due) {
        for (String key : customers.assignedTo(due.companyId, due.agentId)) {
            Agent now = agents.findById(due.id);
            if (now == null || !Agent.OFFLINE.equals(now.status) || now.leaseDueAt == null) {
                return;
            }
            Customer released = customers.change(key, null, c -> {
                if (c == null || !due.agentId.equals(c.agentId) || !due.companyId.equals(c.companyId)) {
                    return new Decision.Keep<Customer>(null);
                }
                rules.release(c, Outbox.SYSTEM, Reason.AGENT_OFFLINE, true);
                schedule(c, settings.recent(c.companyId));
                return new Decision.Write<>(c);
            });
            if (released != null) {
                changed.fire(new CustomerChanged(key));
            }
        }
        agents.change(due.id, a -> {
            if (a.leaseDueAt == null || a.leaseDueAt.isAfter(clock.instant())) {
                return false;
            }
            a.leaseDueAt = null;
            return true;
        });
    }

    /** Applies what is due to one customer now, if it still is when the write lands; safe to call from anywhere. */
    public void expire(String key) {
        Instant now = clock.instant();
        Customer written = customers.change(key, null, c -> {
            if (c == null || c.dueAt == null || c.dueAt.isAfter(now)) {
                return new Decision.Keep<Customer>(null);
            }
            CompanySettings s = settings.recent(c.companyId);
            Instant response = responseDue(c, s);
            Instant wait = waitDue(c, s);
            if (response != null && !response.isAfter(now)) {
                rules.release(c, Outbox.SYSTEM, Reason.NO_RESPONSE, true);
            } else if (wait != null && !wait.isAfter(now)) {
                Duration waited = Duration.between(c.stoppedAt != null ? c.stoppedAt : wait, now);
                Integer position = queue.of(c).position();
                String text = s.maxWaitMessage.replace("{minutes}", Long.toString(Math.max(1, waited.toMinutes())))
                        .replace("{position}", position == null ? "" : position.toString());
                if (!text.isBlank()) {
                    rules.notice(c, text, now);
                }
                rules.applyStop(c, false, Outbox.SYSTEM, Reason.MAX_WAIT);
            }
            schedule(c, s);
            return new Decision.Write<>(c);
        });
        if (written != null) {
            changed.fire(new CustomerChanged(key));
        }
    }
}
