package dev.handover.customer.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.Customer;
import dev.handover.customer.model.MessageStatus;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.repository.PageRepository;
import dev.handover.customer.repository.PresenceRepository;
import dev.handover.customer.repository.WebhookDeliveryRepository;
import dev.handover.customer.repository.WebhookRepository;
import io.quarkus.runtime.StartupEvent;

/**
 * Creates the spec's indexes and one for every query the service sends, at start-up (creating an existing index
 * is a no-op), and drops those of earlier versions that no query needs any more. Each list, count and look-up is
 * answered from an index on MongoDB and on the embedded wire server alike, so its cost does not grow with what
 * the store holds; {@code QueryPlansTest} checks that with {@code explain}. README lists them.
 */
@ApplicationScoped
public class MongoIndexes {

    /** Indexes of earlier versions: replaced by ones that also give the order their queries sort by, or unused. */
    private static final Set<String> RETIRED = Set.of("company_id_1_stop_1_updated_at_1",
            "company_id_1_page_id_1_last_seen_1", "page_id_1_customer_id_1_created_at_1", "stop_1_agent_id_1");
    /** The {@code migrations} line of {@link #backfillNameWords()}. */
    static final String NAME_WORDS = "customer_name_words";

    private final CustomerRepository customers;
    private final PageRepository pages;
    private final MessageRepository messages;
    private final AuditRepository audit;
    private final AgentRepository agents;
    private final PresenceRepository presence;
    private final WebhookRepository webhooks;
    private final WebhookDeliveryRepository webhookDeliveries;

    MongoIndexes(CustomerRepository customers, PageRepository pages, MessageRepository messages, AuditRepository audit,
            AgentRepository agents, PresenceRepository presence,
            WebhookRepository webhooks, WebhookDeliveryRepository webhookDeliveries) {
        this.webhooks = webhooks;
        this.webhookDeliveries = webhookDeliveries;
        this.agents = agents;
        this.presence = presence;
        this.customers = customers;
        this.pages = pages;
        this.messages = messages;
        this.audit = audit;
    }

    void onStart(@Observes StartupEvent start) {
        ensure();
    }

    /** Creates what is missing and drops what is retired; safe to call at any time. */
    public void ensure() {
        var c = customers.mongoCollection();
        dropRetired(c);
        // the spec's four
        c.createIndex(Indexes.ascending("customer_id", "page_id"), new IndexOptions().unique(true));
        c.createIndex(Indexes.ascending("company_id"));
        c.createIndex(Indexes.descending("last_seen"));
        c.createIndex(Indexes.compoundIndex(Indexes.text("customer_name"), Indexes.text("first_name"),
                Indexes.text("last_name")), new IndexOptions().name("names_text"));
        // lists (newest first, waiting oldest first), with and without a page, and their counts
        c.createIndex(Indexes.ascending("company_id", "last_seen", "_id"));
        c.createIndex(Indexes.ascending("company_id", "page_id", "last_seen", "_id"));
        c.createIndex(Indexes.ascending("company_id", "stop", "updated_at", "_id"));
        c.createIndex(Indexes.ascending("company_id", "page_id", "stop", "updated_at", "_id"));
        // a customer by Facebook id across the company's pages; a page's rename
        c.createIndex(Indexes.ascending("company_id", "customer_id", "last_seen"));
        // search by name: the words of a customer's name
        c.createIndex(Indexes.ascending("company_id", "name_words"));
        backfillNameWords();
        // the queue, first come first served; its length and first in line (the waiting gauges)
        c.createIndex(Indexes.ascending("company_id", "stop", "agent_id", "stopped_at", "_id"));
        // customers a lifecycle rule may act on (response timer, maximum wait)
        c.createIndex(Indexes.ascending("due_at"));
        // an agent's active chats (capacity)
        c.createIndex(Indexes.ascending("company_id", "agent_id"));
        c.createIndex(Indexes.ascending("page_id"));
        c.createIndex(Indexes.ascending("has_pending"), new IndexOptions().partialFilterExpression(
                new Document("has_pending", true)));
        var p = pages.mongoCollection();
        dropRetired(p);
        p.createIndex(Indexes.ascending("company_id", "_id"));
        var m = messages.mongoCollection();
        dropRetired(m);
        m.createIndex(Indexes.ascending("page_id", "customer_id", "created_at", "_id"));
        // sends waiting for their outcome (only they have a deadline)
        m.createIndex(Indexes.ascending("send_due_at"), new IndexOptions().sparse(true));
        moveRetiredPendingSends();
        var a = audit.collection();
        dropRetired(a);
        a.createIndex(Indexes.ascending("page_id", "customer_id", "at"));
        // recent assignments (queue estimates); a period of the company's lines (reports)
        a.createIndex(Indexes.ascending("company_id", "action", "at"));
        a.createIndex(Indexes.ascending("company_id", "at"));
        // a company's agents by name, who is online, whose lease ran out, whose outbox waits
        var g = agents.mongoCollection();
        g.createIndex(Indexes.ascending("company_id", "agent_name", "_id"));
        g.createIndex(Indexes.ascending("company_id", "status"));
        g.createIndex(Indexes.ascending("lease_due_at"));
        g.createIndex(Indexes.ascending("has_pending"));
        // a company's webhooks; deliveries due, a customer's stream in order, a webhook's log
        webhooks.mongoCollection().createIndex(Indexes.ascending("company_id", "created_at"));
        var d = webhookDeliveries.mongoCollection();
        d.createIndex(Indexes.ascending("status", "next_at"));
        d.createIndex(Indexes.ascending("stream", "status", "seq"));
        d.createIndex(Indexes.ascending("webhook_id", "created_at", "seq"));
        // a company's presence reports, and those nobody restated
        var r = presence.mongoCollection();
        r.createIndex(Indexes.ascending("company_id"));
        r.createIndex(Indexes.ascending("expires_at"));
    }

    /**
     * Customers stored before search by name kept their name's words get them, once per database (a line in
     * {@code migrations} says it is done, so later starts do not scan the customers). A rename meanwhile wins: the
     * words are set only where the name is still the one they come from.
     */
    private void backfillNameWords() {
        MongoCollection<Document> done = customers.mongoDatabase().getCollection("migrations");
        if (done.find(Filters.eq("_id", NAME_WORDS)).first() != null) {
            return;
        }
        MongoCollection<Document> raw = customers.mongoDatabase().getCollection(customers.mongoCollection().getNamespace()
                .getCollectionName());
        long filled = 0;
        for (Document named : raw.find(Filters.and(Filters.exists("name_words", false), Filters.ne("customer_name", null)))
                .projection(new Document("customer_name", 1))) {
            String name = named.getString("customer_name");
            filled += raw.updateOne(Filters.and(Filters.eq("_id", named.get("_id")), Filters.eq("customer_name", name)),
                    Updates.set("name_words", Customer.searchWords(name))).getModifiedCount();
        }
        // replicas starting together may both fill (the same words): the line is written, never inserted twice
        done.replaceOne(Filters.eq("_id", NAME_WORDS), new Document("_id", NAME_WORDS).append("customers", filled)
                .append("at", new java.util.Date()), new com.mongodb.client.model.ReplaceOptions().upsert(true));
    }

    /**
     * Sends waiting for their outcome were once kept in their own collection ({@code pending_sends}); their deadlines
     * move onto their messages, and the collection goes.
     */
    private void moveRetiredPendingSends() {
        MongoCollection<Document> retired = messages.mongoDatabase().getCollection("pending_sends");
        for (Document send : retired.find()) {
            messages.mongoCollection().updateOne(Filters.and(Filters.eq("_id", send.get("_id")),
                    Filters.eq("status", MessageStatus.QUEUED)), Updates.set("send_due_at", send.getDate("due_at")));
        }
        retired.drop();
    }

    private static void dropRetired(MongoCollection<?> collection) {
        List<String> names = collection.listIndexes().map(index -> index.getString("name")).into(new ArrayList<>());
        names.stream().filter(RETIRED::contains).forEach(collection::dropIndex);
    }
}
