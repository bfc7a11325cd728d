package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.RawBsonDocument;
import org.bson.codecs.Codec;
import org.bson.conversions.Bson;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.PendingRecord;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/**
 * Customers in MongoDB. Every change goes through {@link #change}: read, decide in Java, write back only if
 * the version is unchanged, else decide again. One document, one atomic write: correct on a replica set
 * and on the wire-protocol stand-in alike, with no transactions and no locks. What this replica last wrote of
 * recently changed customers is remembered ({@code handover.customers.remembered} of them), so that a change of
 * one of them, and the drain of its outbox, is the version-checked write alone; a customer changed elsewhere
 * since fails that check and is read after all. A customer nobody here remembers, with a {@code create} at hand,
 * is inserted first and read only if the insert finds them stored: a new customer is one command.
 */
@ApplicationScoped
public class CustomerRepository implements PanacheMongoRepositoryBase<Customer, String> {

    private static final int MAX_ATTEMPTS = 200;

    /** A customer's outbox as this replica wrote it, at that version. */
    public record Written(long version, List<PendingRecord> pending) {
    }

    /** Customers as this replica last wrote them, encoded (each use decodes its own copy), least recent first. */
    private final Map<String, RawBsonDocument> remembered;
    private Codec<Customer> codec;

    public CustomerRepository(CustomerServiceConfig config) {
        int capacity = Math.max(0, config.customers().remembered());
        this.remembered = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, RawBsonDocument> eldest) {
                return size() > capacity;
            }
        });
    }

    /** What a decision about a customer came to. */
    public sealed interface Decision<R> {
        /** Write {@code customer} (changed in place) and answer {@code result}. */
        record Write<R>(R result) implements Decision<R> {
        }

        /** Change nothing and answer {@code result}. */
        record Keep<R>(R result) implements Decision<R> {
        }
    }

    /**
     * Applies {@code decide} to the current customer {@code id} until its write wins. When there is no such
     * customer, {@code create} (if given) makes a new one to decide on, else {@code decide} gets {@code null}
     * and must refuse by throwing or return {@link Decision.Keep}. {@code decide} changes the customer in
     * place; it is called again, with fresh state, after every lost race, and after a refusal or a
     * {@link Decision.Keep} decided on what this replica remembered rather than read.
     */
    public <R> R change(String id, Supplier<Customer> create, Function<Customer, Decision<R>> decide) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            // first what this replica wrote last, or a new customer without a read; after a lost race, a read
            Customer current = attempt == 0 ? recall(id) : null;
            boolean guessed = attempt == 0 && (current != null || create != null);
            if (!guessed) {
                current = findById(id);
            }
            boolean fresh = current == null;
            Customer customer = fresh && create != null ? create.get() : current;
            Decision<R> decision;
            try {
                decision = decide.apply(customer);
            } catch (RuntimeException refused) {
                if (guessed) {
                    continue; // only a write checks a guess: a refusal is decided again on what is stored
                }
                throw refused;
            }
            if (decision instanceof Decision.Keep<R> keep) {
                if (guessed) {
                    continue;
                }
                return keep.result();
            }
            R result = ((Decision.Write<R>) decision).result();
            long version = customer.version;
            customer.version = version + 1;
            customer.hasPending = !customer.pending.isEmpty();
            if (fresh) {
                try {
                    mongoCollection().insertOne(customer);
                    remember(id, customer);
                    return result;
                } catch (MongoWriteException e) {
                    if (e.getError().getCategory() != ErrorCategory.DUPLICATE_KEY) {
                        throw e;
                    }
                }
            } else if (mongoCollection().replaceOne(Filters.and(Filters.eq("_id", id), Filters.eq("version", version)),
                    customer).getModifiedCount() == 1) {
                remember(id, customer);
                return result;
            }
            remembered.remove(id);
        }
        throw new IllegalStateException("customer " + id + " changed " + MAX_ATTEMPTS + " times under us");
    }

    private Customer recall(String id) {
        RawBsonDocument known = remembered.get(id);
        return known == null ? null : known.decode(codec());
    }

    /** Keeps the customer as written, unless a later version of them is remembered already. */
    private void remember(String id, Customer customer) {
        remembered.merge(id, new RawBsonDocument(customer, codec()),
                (known, written) -> known.getInt64("version").getValue() > customer.version ? known : written);
    }

    private Codec<Customer> codec() {
        if (codec == null) {
            codec = mongoCollection().getCodecRegistry().get(Customer.class);
        }
        return codec;
    }

    /**
     * The customer's outbox as this replica last wrote it (empty once drained here), if this replica remembers them:
     * an outbox another replica wrote since is that replica's to deliver.
     */
    public Optional<Written> written(String id) {
        Customer known = recall(id);
        return known == null ? Optional.empty() : Optional.of(new Written(known.version, List.copyOf(known.pending)));
    }

    /** Records {@code done} to take out of the outbox of customer {@code id} as written at {@code was}. */
    public record Drain(String id, Written was, Set<String> done) {
        List<PendingRecord> remaining() {
            return was.pending().stream().filter(r -> !done.contains(r.recordId)).toList();
        }
    }

    /**
     * Takes the records done out of each outbox as written at its version, in one command; answers the customers
     * for which that write may not have happened (changed since), for the caller to decide again (with what this
     * replica remembers of those it changed since, so without a read).
     */
    public Set<String> published(List<Drain> drains) {
        Set<String> unsure = new HashSet<>();
        List<Drain> current = new ArrayList<>();
        for (Drain drain : drains) {
            Customer known = recall(drain.id());
            if (known != null && known.version != drain.was().version()) {
                unsure.add(drain.id()); // changed here since: that write would lose
            } else {
                current.add(drain);
            }
        }
        if (current.isEmpty()) {
            return unsure;
        }
        List<UpdateOneModel<Customer>> writes = current.stream().map(d -> new UpdateOneModel<Customer>(
                Filters.and(Filters.eq("_id", d.id()), Filters.eq("version", d.was().version())),
                Updates.combine(Updates.set("pending", d.remaining()), Updates.set("has_pending", !d.remaining().isEmpty()),
                        Updates.inc("version", 1)))).toList();
        boolean all = mongoCollection().bulkWrite(writes, new BulkWriteOptions().ordered(false)).getModifiedCount()
                == current.size();
        synchronized (remembered) {
            for (Drain drain : current) {
                Customer known = recall(drain.id());
                if (known == null || known.version != drain.was().version()) {
                    continue; // changed here meanwhile: what is remembered is newer
                }
                if (all) {
                    known.pending = new ArrayList<>(drain.remaining());
                    known.hasPending = !known.pending.isEmpty();
                    known.version++;
                    remember(drain.id(), known);
                } else {
                    remembered.remove(drain.id());
                }
            }
        }
        if (!all) {
            current.forEach(d -> unsure.add(d.id()));
        }
        return unsure;
    }

    public Optional<Customer> find(String companyId, String pageId, String customerId) {
        return Optional.ofNullable(mongoCollection().find(Filters.and(Filters.eq("_id", Customer.key(pageId, customerId)),
                Filters.eq("company_id", companyId))).first());
    }

    /** A customer of the company by Facebook id alone, whichever of its pages they wrote to (most recent first). */
    public Optional<Customer> findByCustomerId(String companyId, String customerId) {
        return Optional.ofNullable(mongoCollection().find(Filters.and(Filters.eq("company_id", companyId),
                Filters.eq("customer_id", customerId))).sort(Sorts.descending("last_seen")).first());
    }

    /** Stopped customers of a company (optionally one page), longest waiting first. */
    public List<Customer> stopped(String companyId, String pageId, int skip, int limit) {
        return mongoCollection().find(stoppedFilter(companyId, pageId))
                .sort(Sorts.ascending("updated_at", "_id")).skip(skip).limit(limit).into(new ArrayList<>());
    }

    public long countStopped(String companyId, String pageId) {
        return mongoCollection().countDocuments(stoppedFilter(companyId, pageId));
    }

    /** All customers of a company (optionally one page), most recently seen first. */
    public List<Customer> list(String companyId, String pageId, int skip, int limit) {
        return mongoCollection().find(companyFilter(companyId, pageId))
                .sort(Sorts.descending("last_seen", "_id")).skip(skip).limit(limit).into(new ArrayList<>());
    }

    public long count(String companyId, String pageId) {
        return mongoCollection().countDocuments(companyFilter(companyId, pageId));
    }

    /**
     * The ids of the company's first {@code limit} waiting customers nobody took, in the order they asked
     * (index {@code company_id, stop, agent_id, stopped_at, _id}).
     */
    public List<String> queue(String companyId, int limit) {
        return mongoCollection().find(queueFilter(companyId)).sort(Sorts.ascending("stopped_at", "_id"))
                .projection(new org.bson.Document("_id", 1)).limit(limit).map(c -> c.id).into(new ArrayList<>());
    }

    /**
     * The company's customers with a name word starting with {@code prefix} (lower case), most recently seen first
     * among at most {@code limit} (index {@code company_id, name_words}: a range on one indexed array, served from the
     * index on MongoDB and on the embedded wire server alike).
     */
    public List<Customer> named(String companyId, String prefix, int limit) {
        return mongoCollection().find(Filters.and(Filters.eq("company_id", companyId), Filters.gte("name_words", prefix),
                Filters.lt("name_words", prefix + "\uffff"))).limit(limit).into(new ArrayList<>());
    }

    /** How many of the company's queue asked before {@code stoppedAt}. */
    public long queuedBefore(String companyId, Instant stoppedAt) {
        return mongoCollection().countDocuments(Filters.and(queueFilter(companyId), Filters.lt("stopped_at", stoppedAt)));
    }

    private static Bson queueFilter(String companyId) {
        return Filters.and(Filters.eq("company_id", companyId), Filters.eq("stop", true), Filters.eq("agent_id", null));
    }

    /** Keys of customers a lifecycle rule may act on by {@code now}, soonest first (index {@code due_at}). */
    public List<String> due(Instant now, int limit) {
        return mongoCollection().find(Filters.lte("due_at", now)).sort(Sorts.ascending("due_at"))
                .projection(new org.bson.Document("_id", 1)).limit(limit).map(c -> c.id).into(new ArrayList<>());
    }

    /** How many customers the agent is handling now (index {@code company_id, agent_id}). */
    public long activeChats(String companyId, String agentId) {
        return mongoCollection().countDocuments(Filters.and(Filters.eq("company_id", companyId),
                Filters.eq("agent_id", agentId)));
    }

    /** Keys of the customers the agent is handling now (index {@code company_id, agent_id}). */
    public List<String> assignedTo(String companyId, String agentId) {
        return mongoCollection().find(Filters.and(Filters.eq("company_id", companyId), Filters.eq("agent_id", agentId)))
                .projection(new org.bson.Document("_id", 1)).map(c -> c.id).into(new ArrayList<>());
    }

    /**
     * The first company after {@code after} (any company when {@code null}), in id order, that has customers: one
     * index entry read (index {@code company_id}), so that walking the companies costs one command per company
     * whatever the number of customers.
     */
    public String nextCompany(String after) {
        Customer first = mongoCollection().find(Filters.gt("company_id", after == null ? "" : after))
                .sort(Sorts.ascending("company_id")).projection(new org.bson.Document("company_id", 1).append("_id", 0))
                .limit(1).first();
        return first == null ? null : first.companyId;
    }

    /** How many of the company's customers wait in its queue: counted from the queue's index entries alone. */
    public long waiting(String companyId) {
        return mongoCollection().countDocuments(queueFilter(companyId));
    }

    /** Since when the first in the company's queue has waited (index {@code company_id, stop, agent_id, stopped_at, _id}). */
    public Instant longestWaitingSince(String companyId) {
        Customer first = mongoCollection().find(Filters.and(queueFilter(companyId), Filters.gte("stopped_at", Instant.EPOCH)))
                .sort(Sorts.ascending("stopped_at", "_id")).projection(new org.bson.Document("stopped_at", 1)).limit(1)
                .first();
        return first == null ? null : first.stoppedAt;
    }

    /**
     * Customers whose {@code due_at} passed before {@code now} and whom the lifecycle has not handled yet, at most
     * {@code limit} (index {@code due_at}): only those, however many customers wait.
     */
    public List<Customer> overdue(Instant now, int limit) {
        return mongoCollection().find(Filters.lt("due_at", now))
                .projection(new org.bson.Document("company_id", 1).append("stop", 1).append("agent_id", 1).append("due_at", 1))
                .limit(limit).into(new ArrayList<>());
    }

    /** Ids of customers whose outbox is not empty. */
    public List<String> withPending() {
        return mongoCollection().find(Filters.eq("has_pending", true)).projection(new org.bson.Document("_id", 1))
                .map(c -> c.id).into(new ArrayList<>());
    }

    public void renamePage(String pageId, String pageName) {
        mongoCollection().updateMany(Filters.eq("page_id", pageId),
                com.mongodb.client.model.Updates.set("page_name", pageName));
    }

    private static Bson companyFilter(String companyId, String pageId) {
        return pageId == null ? Filters.eq("company_id", companyId)
                : Filters.and(Filters.eq("company_id", companyId), Filters.eq("page_id", pageId));
    }

    private static Bson stoppedFilter(String companyId, String pageId) {
        return Filters.and(companyFilter(companyId, pageId), Filters.eq("stop", true));
    }
}
