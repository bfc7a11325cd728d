package dev.handover.customer.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import dev.handover.events.CustomerSnapshot;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A customer of one page, the spec's customer table plus what this service needs to keep it consistent:
 * a {@code version} for optimistic concurrency (no transactions needed), the records still to publish
 * ({@code pending}, written in the same single-document update as the change they describe) and the
 * Facebook {@code mid}s seen lately, which make a redelivered webhook change nothing.
 */
@MongoEntity(collection = "customers")
public class Customer {

    /** {@code page_id:customer_id}, the natural key. */
    @BsonId
    public String id;
    @BsonProperty("customer_id")
    public String customerId;
    @BsonProperty("customer_name")
    public String customerName;
    @BsonProperty("first_name")
    public String firstName;
    @BsonProperty("last_name")
    public String lastName;
    @BsonProperty("page_id")
    public String pageId;
    @BsonProperty("page_name")
    public String pageName;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("message_count")
    public long messageCount;
    @BsonProperty("last_message")
    public String lastMessage;
    @BsonProperty("last_seen")
    public Instant lastSeen;
    @BsonProperty("first_seen")
    public Instant firstSeen;
    public boolean stop;
    @BsonProperty("stopped_at")
    public Instant stoppedAt;
    /** The {@code ref} and source of the last link, ad or code that brought the customer, and when. */
    @BsonProperty("referral_ref")
    public String referralRef;
    @BsonProperty("referral_source")
    public String referralSource;
    @BsonProperty("referred_at")
    public Instant referredAt;
    @BsonProperty("agent_name")
    public String agentName;
    @BsonProperty("agent_id")
    public String agentId;
    @BsonProperty("agent_email")
    public String agentEmail;
    @BsonProperty("assigned_at")
    public Instant assignedAt;
    @BsonProperty("created_at")
    public Instant createdAt;
    @BsonProperty("updated_at")
    public Instant updatedAt;

    /** When the customer last wrote: it decides Messenger's messaging window. */
    @BsonProperty("last_customer_message_at")
    public Instant lastCustomerMessageAt;
    /** When an agent first wrote after the customer's latest request for a human. */
    @BsonProperty("first_response_at")
    public Instant firstResponseAt;
    /**
     * When the customer's current agent first wrote to them after taking them; {@code null} until then. That first
     * message is audited (the first response reports count); later ones are in the conversation's history only.
     */
    @BsonProperty("agent_answered_at")
    public Instant agentAnsweredAt;
    /** Since when the customer's agent owes an answer: from taking them, or the customer's first unanswered message. */
    @BsonProperty("awaiting_reply_since")
    public Instant awaitingReplySince;
    /** When the customer last went into the queue: asked for a human, or was released back to it. */
    @BsonProperty("queued_at")
    public Instant queuedAt;
    /** The next moment a lifecycle rule may act on the customer ({@code Lifecycle}); {@code null} when none can. */
    @BsonProperty("due_at")
    public Instant dueAt;
    @BsonProperty("tax_code")
    public String taxCode;
    @BsonProperty("company_name")
    public String companyName;
    public String notes;

    public long version;
    @BsonProperty("recent_mids")
    public List<String> recentMids = new ArrayList<>();
    public List<PendingRecord> pending = new ArrayList<>();
    @BsonProperty("has_pending")
    public boolean hasPending;
    /** The words of the customer's name, for search by name (index {@code company_id, name_words}). */
    @BsonProperty("name_words")
    public List<String> nameWords = new ArrayList<>();

    public static String key(String pageId, String customerId) {
        return pageId + ":" + customerId;
    }

    /** Sets the customer's names, and the words a search by name finds them by. */
    public void named(String first, String last) {
        firstName = first;
        lastName = last;
        customerName = String.join(" ", java.util.stream.Stream.of(first, last).filter(n -> n != null && !n.isBlank())
                .toList());
        nameWords = searchWords(customerName);
    }

    /** The lower-case words of a name (accents kept), as a search by name compares them. */
    public static List<String> searchWords(String name) {
        return name == null ? List.of() : java.util.Arrays.stream(name.toLowerCase(java.util.Locale.ROOT)
                .split("[\\s\\p{Punct}]+")).filter(w -> !w.isBlank()).distinct().toList();
    }

    public boolean isAssigned() {
        return agentId != null;
    }

    public CustomerSnapshot snapshot() {
        return new CustomerSnapshot(customerId, customerName, firstName, lastName, pageId, pageName, companyId,
                messageCount, lastMessage, lastSeen, firstSeen, stop, stoppedAt, agentName, agentId, agentEmail,
                assignedAt, createdAt, updatedAt);
    }
}
