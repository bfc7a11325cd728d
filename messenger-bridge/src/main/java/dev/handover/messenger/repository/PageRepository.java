package dev.handover.messenger.repository;

import java.time.Instant;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

/**
 * Connected pages (collection {@code pages} of the bridge's database): which company proved control of a page,
 * and its sealed access token. A page belongs to at most one company; the unique {@code _id} decides.
 */
@ApplicationScoped
public class PageRepository {

    /** A connected page. */
    public record ConnectedPage(String pageId, String companyId, String pageName, String sealedToken) {
    }

    private final MongoCollection<Document> collection;

    public PageRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("pages");
    }

    public ConnectedPage find(String pageId) {
        Document doc = collection.find(Filters.eq("_id", pageId)).first();
        return doc == null ? null
                : new ConnectedPage(pageId, doc.getString("company_id"), doc.getString("page_name"), doc.getString("token"));
    }

    /** Connects the page to {@code companyId} or replaces its token; {@code false} if another company holds it. */
    public boolean connect(String pageId, String companyId, String pageName, String sealedToken, Instant at) {
        try {
            collection.updateOne(Filters.and(Filters.eq("_id", pageId), Filters.eq("company_id", companyId)),
                    Updates.combine(Updates.set("page_name", pageName), Updates.set("token", sealedToken),
                            Updates.set("updated_at", Date.from(at)), Updates.setOnInsert("connected_at", Date.from(at))),
                    new UpdateOptions().upsert(true));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /** Disconnects the page if {@code companyId} holds it. */
    public boolean disconnect(String pageId, String companyId) {
        return collection.deleteOne(Filters.and(Filters.eq("_id", pageId), Filters.eq("company_id", companyId)))
                .getDeletedCount() > 0;
    }
}
