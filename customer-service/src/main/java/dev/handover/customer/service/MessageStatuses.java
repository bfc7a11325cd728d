package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

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
    private final Event<CustomerChanged> changed;
    private final Clock clock;

    public MessageStatuses(CustomerRepository customers, Event<CustomerChanged> changed, Clock clock) {
        this.customers = customers;
        this.changed = changed;
        this.clock = clock;
    }

    public void broadcast(String pageId, String customerId, List<String> messageIds, String status, String error,
            Integer errorCode) {
        if (messageIds.isEmpty() || pageId == null || customerId == null) {
            return;
        }
        String key = Customer.key(pageId, customerId);
        boolean written = customers.change(key, null, c -> {
            if (c == null) {
                return new Decision.Keep<>(false);
            }
            Instant now = clock.instant();
            messageIds.forEach(id -> Outbox.status(c, new MessageDelivery(id, status, error, errorCode), now));
            return new Decision.Write<>(true);
        });
        if (written) {
            changed.fire(new CustomerChanged(key));
        }
    }
}
