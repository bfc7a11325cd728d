package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.model.Customer;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.events.MessageDelivery;

/**
 * Tells a company's agents that messages of a conversation moved on (sent, delivered, read, failed), through the
 * customer's outbox like every other broadcast; used by whatever decided the move (a report, a receipt, a deadline).
 */
@ApplicationScoped
public class MessageStatuses {

    private final CustomerRepository customers;
    private final Clock clock;

    public MessageStatuses(CustomerRepository customers, Clock clock) {
        this.customers = customers;
        this.clock = clock;
    }

    public void broadcast(String pageId, String customerId, List<String> messageIds, String status, String error,
            Integer errorCode) {
        if (messageIds.isEmpty() || pageId == null || customerId == null) {
            return;
        }
        customers.change(Customer.key(pageId, customerId), null, c -> {
            if (c == null) {
                return new Decision.Keep<>(null);
            }
            Instant now = clock.instant();
            messageIds.forEach(id -> Outbox.status(c, new MessageDelivery(id, status, error, errorCode), now));
            return new Decision.Write<>(null);
        });
    }
}
