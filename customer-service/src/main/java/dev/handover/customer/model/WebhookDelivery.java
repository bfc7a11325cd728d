package dev.handover.customer.model;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * One event owed to one webhook (collection {@code webhook_deliveries}, {@code _id} {@code webhook:event}): kept
 * until delivered or given up, so a restart loses none. A customer's deliveries to a webhook form a {@code stream}
 * sent in {@code seq} order (the event's offset on {@code customer.events}); {@code next_at} is when it may be tried.
 */
@MongoEntity(collection = "webhook_deliveries")
public class WebhookDelivery {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";

    @BsonId
    public String id;
    @BsonProperty("webhook_id")
    public String webhookId;
    @BsonProperty("company_id")
    public String companyId;
    public String stream;
    public long seq;
    @BsonProperty("event_id")
    public String eventId;
    @BsonProperty("event_type")
    public String eventType;
    @BsonProperty("page_id")
    public String pageId;
    @BsonProperty("customer_id")
    public String customerId;
    public String payload;
    public String status;
    public int attempts;
    @BsonProperty("next_at")
    public Instant nextAt;
    @BsonProperty("last_status")
    public Integer lastStatus;
    @BsonProperty("last_error")
    public String lastError;
    @BsonProperty("created_at")
    public Instant createdAt;
    @BsonProperty("delivered_at")
    public Instant deliveredAt;
}
