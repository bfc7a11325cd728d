package dev.handover.messenger.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;

/** Customers' names as the Graph API gave them, or when asking last failed. */
@ApplicationScoped
public class ProfileRepository {

    /** A cached profile; {@code failedAt} set means the lookup failed then. */
    public record Profile(String firstName, String lastName, Instant failedAt) {
    }

    private final MongoCollection<Document> collection;

    public ProfileRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("profiles");
    }

    /** The stored profiles among {@code keys}, in one query. */
    public Map<String, Profile> findAll(Collection<String> keys) {
        Map<String, Profile> found = new HashMap<>();
        for (Document d : collection.find(Filters.in("_id", keys))) {
            Date failed = d.getDate("failed_at");
            found.put(d.getString("_id"), new Profile(d.getString("first_name"), d.getString("last_name"),
                    failed == null ? null : failed.toInstant()));
        }
        return found;
    }

    /** Keeps each profile under its key, in one write. */
    public void saveAll(Map<String, Profile> profiles) {
        List<ReplaceOneModel<Document>> writes = new ArrayList<>();
        profiles.forEach((key, profile) -> writes.add(new ReplaceOneModel<>(Filters.eq("_id", key),
                new Document("_id", key).append("first_name", profile.firstName()).append("last_name", profile.lastName())
                        .append("failed_at", profile.failedAt() == null ? null : Date.from(profile.failedAt())),
                new ReplaceOptions().upsert(true))));
        collection.bulkWrite(writes, new BulkWriteOptions().ordered(false));
    }
}
