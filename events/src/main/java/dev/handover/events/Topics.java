package dev.handover.events;

/**
 * The Kafka topics the services talk over, and how their records are keyed, so that every producer and
 * consumer agrees on one spelling and one partitioning rule.
 */
public final class Topics {

    /** A customer's message, postback, echo, delivery or read receipt, from messenger-bridge. */
    public static final String MESSENGER_INBOUND = "messenger.inbound";
    /** Text or a sender action to send to a customer, for messenger-bridge. */
    public static final String MESSENGER_OUTBOUND = "messenger.outbound";
    /** The outcome of a send, from messenger-bridge. */
    public static final String MESSENGER_DELIVERY = "messenger.delivery";
    /** Every change of customer state, from customer-service to every gateway; keyed by company. */
    public static final String CUSTOMER_EVENTS = "customer.events";
    /** Agents' typing indicators, from every gateway to every gateway; keyed by company. */
    public static final String STAFF_TYPING = "staff.typing";
    /** Which agents are connected to each gateway instance, from every gateway to customer-service; keyed by company. */
    public static final String STAFF_PRESENCE = "staff.presence";
    /** Where customer-service sets aside what it could not handle of {@code messenger.inbound}, after its retries. */
    public static final String MESSENGER_INBOUND_DLQ = "messenger.inbound.dlq";
    /** Likewise for {@code messenger.delivery}. */
    public static final String MESSENGER_DELIVERY_DLQ = "messenger.delivery.dlq";

    private Topics() {
    }

    /** Key of the three {@code messenger.*} topics: one conversation's records stay in order on one partition. */
    public static String conversationKey(String pageId, String customerId) {
        return pageId + ":" + customerId;
    }
}
