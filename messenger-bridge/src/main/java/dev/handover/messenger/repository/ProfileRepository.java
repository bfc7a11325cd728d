package dev.handover.messenger.repository;

import java.time.Instant;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
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

    public Profile find(String key) {
        Document d = collection.find(Filters.eq("_id", key)).first();
        if (d == null) {
            return null;
        }
        Date failed = d.getDate("failed_at");
        return new Profile(d.getString("first_name"), d.getString("last_name"), failed == null ? null : failed.toInstant());
    }

    public void save(String key, Profile profile) {
        Document d = new Document("_id", key).append("first_name", profile.firstName())
                .append("last_name", profile.lastName())
                .append("failed_at", profile.failedAt() == null ? null : Date.from(profile.failedAt()));
        collection.replaceOne(Filters.eq("_id", key), d, new ReplaceOptions().upsert(true));
    }
}
