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
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
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
        write(List.of(entry));
    }

    /** Writes the lines in one command; a line written before (its outbox record delivered twice) is written over. */
    public void write(List<AuditEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        collection.bulkWrite(entries.stream().map(entry -> new ReplaceOneModel<>(Filters.eq("_id", entry.id()),
                document(entry), new ReplaceOptions().upsert(true))).toList(), new BulkWriteOptions().ordered(false));
    }

    private static Document document(AuditEntry entry) {
        return new Document("_id", entry.id())
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
    }

    /** How many lines of the company with {@code action} since {@code since} (index {@code company_id, action, at}). */
    public long countSince(String companyId, String action, Instant since) {
        return collection.countDocuments(Filters.and(Filters.eq("company_id", companyId), Filters.eq("action", action),
                Filters.gte("at", Date.from(since))));
    }

    /** The company's lines with one of {@code actions} from {@code from} until {@code to}, oldest first (index {@code company_id, at}). */
    public List<Document> between(String companyId, List<String> actions, Instant from, Instant to) {
        return collection.find(Filters.and(Filters.eq("company_id", companyId), Filters.gte("at", Date.from(from)),
                Filters.lt("at", Date.from(to)), Filters.in("action", actions))).sort(Sorts.ascending("at"))
                .into(new ArrayList<>());
    }

    /** A customer's lines, newest first (index {@code page_id, customer_id, at}). */
    public List<Document> ofCustomer(String companyId, String pageId, String customerId, int limit) {
        return collection.find(Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId),
                Filters.eq("company_id", companyId))).sort(Sorts.descending("at")).limit(limit).into(new ArrayList<>());
    }

    /** A page's own lines (no customer), newest first (the same index, with a null customer). */
    public List<Document> ofPage(String companyId, String pageId, int limit) {
        return collection.find(Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", null),
                Filters.eq("company_id", companyId))).sort(Sorts.descending("at")).limit(limit).into(new ArrayList<>());
    }

    public MongoCollection<Document> collection() {
        return collection;
    }
}
