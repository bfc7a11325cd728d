package dev.handover.customer.repository;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;

import dev.handover.customer.model.AuditEntry;

/** The audit log; an entry is written once even if its outbox record is delivered twice. */
@ApplicationScoped
public class AuditRepository {

    private final MongoCollection<Document> collection;

    public AuditRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("audit_log");
    }

    public void write(AuditEntry entry) {
        Document document = new Document("_id", entry.id())
                .append("company_id", entry.companyId())
                .append("page_id", entry.pageId())
                .append("customer_id", entry.customerId())
                .append("action", entry.action())
                .append("actor", new Document("type", entry.actorType()).append("id", entry.actorId())
                        .append("name", entry.actorName()).append("email", entry.actorEmail()))
                .append("before", entry.before() == null ? null : new Document(entry.before()))
                .append("after", entry.after() == null ? null : new Document(entry.after()))
                .append("reason", entry.reason())
                .append("at", Date.from(entry.at()));
        collection.replaceOne(Filters.eq("_id", entry.id()), document, new ReplaceOptions().upsert(true));
    }

    public List<Document> ofCustomer(String pageId, String customerId) {
        return collection.find(Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId)))
                .sort(Sorts.ascending("at")).into(new ArrayList<>());
    }

    public MongoCollection<Document> collection() {
        return collection;
    }
}
