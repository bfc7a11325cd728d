package dev.handover.messenger.repository;

import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;

/**
 * Webhook items already handed to Kafka, by event id ({@code mid} where there is one), kept 7 days (Facebook
 * retries for up to 36 hours): shared by every replica and surviving restarts.
 */
@ApplicationScoped
public class SeenEventRepository {

    private final MongoCollection<Document> collection;

    public SeenEventRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("webhook_events");
        collection.createIndex(Indexes.ascending("seen_at"), new IndexOptions().expireAfter(7L, TimeUnit.DAYS));
    }

    public Set<String> seen(Collection<String> ids) {
        Set<String> seen = new HashSet<>();
        collection.find(Filters.in("_id", ids)).projection(Projections.include("_id"))
                .forEach(d -> seen.add(d.getString("_id")));
        return seen;
    }

    public void markSeen(Collection<String> ids, Instant at) {
        if (ids.isEmpty()) {
            return;
        }
        List<Document> documents = ids.stream().map(id -> new Document("_id", id).append("seen_at", Date.from(at))).toList();
        try {
            collection.insertMany(documents, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            // another replica, or a retried webhook, got there first: what matters is that they are marked
            if (e.getWriteErrors().stream().anyMatch(err -> err.getCode() != 11000)) {
                throw e;
            }
        }
    }
}
