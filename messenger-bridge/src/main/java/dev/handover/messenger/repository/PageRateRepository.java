package dev.handover.messenger.repository;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

/**
 * Send API calls per page and second, counted across every bridge replica (collection {@code page_rates}, one
 * document per page): Facebook limits a page, not a replica. Each call is one atomic update by {@code _id}.
 */
@ApplicationScoped
public class PageRateRepository {

    private static final FindOneAndUpdateOptions AFTER = new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER);

    private final MongoCollection<Document> collection;

    public PageRateRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("page_rates");
    }

    /** Counts one call to {@code pageId} in {@code second} (epoch seconds) and returns that second's count so far. */
    public long take(String pageId, long second) {
        while (true) {
            Document counted = collection.findOneAndUpdate(Filters.and(Filters.eq("_id", pageId), Filters.eq("second", second)),
                    Updates.inc("calls", 1L), AFTER);
            if (counted != null) {
                return counted.get("calls", Number.class).longValue();
            }
            try {
                // the page's first call in this second: start its count (another replica may win the race)
                Document started = collection.findOneAndUpdate(Filters.and(Filters.eq("_id", pageId),
                        Filters.ne("second", second)), Updates.combine(Updates.set("second", second),
                                Updates.set("calls", 1L)), new FindOneAndUpdateOptions().upsert(true)
                                        .returnDocument(ReturnDocument.AFTER));
                if (started != null && started.get("second", Number.class).longValue() == second) {
                    return started.get("calls", Number.class).longValue();
                }
            } catch (MongoWriteException e) {
                if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                    throw e;
                }
            } catch (MongoCommandException e) {
                if (e.getErrorCode() != 11000) {
                    throw e;
                }
            }
        }
    }
}
