package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.WebhookDelivery;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Deliveries owed to webhooks: due ones found by {@code status, next_at}, a stream's order by {@code stream, status, seq}. */
@ApplicationScoped
public class WebhookDeliveryRepository implements PanacheMongoRepositoryBase<WebhookDelivery, String> {

    /** Stores a delivery once; false if it was stored before (a redelivered event). */
    public boolean add(WebhookDelivery delivery) {
        try {
            mongoCollection().insertOne(delivery);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Pending deliveries whose time has come, soonest first. */
    public List<WebhookDelivery> due(Instant now, int limit) {
        return mongoCollection().find(Filters.and(Filters.eq("status", WebhookDelivery.PENDING), Filters.lte("next_at", now)))
                .sort(Sorts.ascending("next_at")).limit(limit).into(new ArrayList<>());
    }

    /** The stream's oldest pending delivery: the only one that may be sent. */
    public WebhookDelivery head(String stream) {
        return mongoCollection().find(Filters.and(Filters.eq("stream", stream), Filters.eq("status", WebhookDelivery.PENDING)))
                .sort(Sorts.ascending("seq")).first();
    }

    /**
     * Takes a due delivery for one attempt, until {@code leaseUntil} (then it is due again, should this process die
     * mid-call); {@code null} if another replica took it first.
     */
    public WebhookDelivery claim(WebhookDelivery due, Instant now, Instant leaseUntil) {
        return mongoCollection().findOneAndUpdate(Filters.and(Filters.eq("_id", due.id),
                Filters.eq("status", WebhookDelivery.PENDING), Filters.lte("next_at", now)),
                Updates.combine(Updates.set("next_at", leaseUntil), Updates.inc("attempts", 1)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER));
    }

    /** Records an attempt's outcome: {@code status} and, while pending, the next try. */
    public void settle(String id, String status, Instant nextAt, Integer lastStatus, String lastError, Instant deliveredAt) {
        mongoCollection().updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("status", status),
                Updates.set("next_at", nextAt), Updates.set("last_status", lastStatus), Updates.set("last_error", lastError),
                Updates.set("delivered_at", deliveredAt)));
    }

    /** Makes a waiting delivery due at {@code at}. */
    public void dueAt(String id, Instant at) {
        mongoCollection().updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("status", WebhookDelivery.PENDING)),
                Updates.set("next_at", at));
    }

    /** The webhook's deliveries, newest first. */
    public List<WebhookDelivery> log(String webhookId, int limit) {
        return mongoCollection().find(Filters.eq("webhook_id", webhookId)).sort(Sorts.descending("created_at", "seq"))
                .limit(limit).into(new ArrayList<>());
    }

    public void removeOf(String webhookId) {
        mongoCollection().deleteMany(Filters.eq("webhook_id", webhookId));
    }
}
