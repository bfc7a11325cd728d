package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.model.MessageStatus;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.model.Message;
import io.quarkus.scheduler.Scheduled;

/**
 * No agent message stays {@code queued} for ever: one that got no outcome from messenger-bridge within
 * {@code handover.sends.outcome-timeout} (Kafka down, a bridge gone) is failed and its agents are told. The
 * bridge's own deadline is shorter, so it never sends one of these later; an outcome that still arrives wins.
 */
@ApplicationScoped
public class SendDeadlines {

    private static final Logger LOG = Logger.getLogger(SendDeadlines.class);
    private static final int BATCH = 500;

    private final MessageRepository messages;
    private final MessageStatuses statuses;
    private final CustomerServiceConfig config;
    private final Clock clock;

    public SendDeadlines(MessageRepository messages, MessageStatuses statuses,
            CustomerServiceConfig config, Clock clock) {
        this.messages = messages;
        this.statuses = statuses;
        this.config = config;
        this.clock = clock;
    }

    @Scheduled(every = "{handover.sends.sweep-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweep() {
        Instant now = clock.instant();
        for (Message send : messages.overdue(now, BATCH)) {
            String error = "No outcome from messenger-bridge within " + config.sends().outcomeTimeout().toSeconds() + " s";
            if (messages.markFailed(send.id, error, now)) {
                LOG.warnf("Message %s to %s failed: %s", send.id, send.customerId, error);
                statuses.broadcast(send.pageId, send.customerId, List.of(send.id), MessageStatus.FAILED, error, null);
            } else {
                messages.settled(send.id);
            }
        }
    }
}
