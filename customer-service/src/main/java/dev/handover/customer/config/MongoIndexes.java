package dev.handover.customer.config;

import jakarta.enterprise.event.Observes;

import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.repository.PageRepository;
import dev.handover.customer.repository.PendingSendRepository;
import io.quarkus.runtime.StartupEvent;

/** Creates the spec's indexes and those the queries need, at start-up (creating an existing index is a no-op). */
public class MongoIndexes {

    void create(@Observes StartupEvent start, CustomerRepository customers, PageRepository pages,
            MessageRepository messages, AuditRepository audit, PendingSendRepository pendingSends) {
        var c = customers.mongoCollection();
        c.createIndex(Indexes.ascending("customer_id", "page_id"), new IndexOptions().unique(true));
        c.createIndex(Indexes.ascending("company_id"));
        c.createIndex(Indexes.descending("last_seen"));
        c.createIndex(Indexes.compoundIndex(Indexes.text("customer_name"), Indexes.text("first_name"),
                Indexes.text("last_name")), new IndexOptions().name("names_text"));
        c.createIndex(Indexes.ascending("company_id", "stop", "updated_at"));
        c.createIndex(Indexes.ascending("company_id", "page_id", "last_seen"));
        c.createIndex(Indexes.ascending("has_pending"), new IndexOptions().partialFilterExpression(
                new org.bson.Document("has_pending", true)));
        pages.mongoCollection().createIndex(Indexes.ascending("company_id"));
        messages.mongoCollection().createIndex(Indexes.ascending("page_id", "customer_id", "created_at"));
        audit.collection().createIndex(Indexes.ascending("page_id", "customer_id", "at"));
        audit.collection().createIndex(Indexes.ascending("company_id", "at"));
        pendingSends.collection().createIndex(Indexes.ascending("due_at"));
    }
}
