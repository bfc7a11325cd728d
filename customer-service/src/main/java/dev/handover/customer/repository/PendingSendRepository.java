package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

/**
 * Agents' messages still waiting for messenger-bridge's outcome (collection {@code pending_sends}): one small
 * document each, removed with the outcome, so finding the overdue ones reads only what is in flight, never the
 * whole message history.
 */
@ApplicationScoped
public class PendingSendRepository {

    /** A message waiting for its outcome until {@code dueAt}. */
    public record PendingSend(String messageId, String pageId, String customerId, Instant dueAt) {
    }

    private final MongoCollection<Document> collection;

    public PendingSendRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("pending_sends");
    }

    public MongoCollection<Document> collection() {
        return collection;
    }

    public void add(PendingSend send) {
        collection.insertOne(new Document("_id", send.messageId()).append("page_id", send.pageId())
                .append("customer_id", send.customerId()).append("due_at", Date.from(send.dueAt())));
    }

    public void remove(String messageId) {
        collection.deleteOne(Filters.eq("_id", messageId));
    }

    /** The oldest overdue ones (index {@code due_at}). */
    public List<PendingSend> due(Instant now, int limit) {
        return collection.find(Filters.lte("due_at", Date.from(now))).sort(Sorts.ascending("due_at")).limit(limit)
                .map(d -> new PendingSend(d.getString("_id"), d.getString("page_id"), d.getString("customer_id"),
                        d.getDate("due_at").toInstant()))
                .into(new ArrayList<>());
    }
}
