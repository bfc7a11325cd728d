package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.Agent;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/**
 * Companies' agents, by {@code company:agent}. Changes of status go through {@link #change}, version-checked like
 * customers', so that one transition is decided once however many replicas see it.
 */
@ApplicationScoped
public class AgentRepository implements PanacheMongoRepositoryBase<Agent, String> {

    private static final int MAX_ATTEMPTS = 100;

    /** Records the agent as their token names them, creating them when new; their status is left alone. */
    public void seen(String companyId, String agentId, String name, String email, Instant at) {
        mongoCollection().updateOne(Filters.eq("_id", Agent.key(companyId, agentId)), Updates.combine(
                Updates.set("company_id", companyId), Updates.set("agent_id", agentId), Updates.set("agent_name", name),
                Updates.set("agent_email", email), Updates.set("seen_at", at), Updates.inc("version", 1L)),
                new UpdateOptions().upsert(true));
    }

    /**
     * Applies {@code decide} to the agent until its write wins; {@code decide} changes the agent in place and
     * answers whether to write. False when there is no such agent or nothing was written.
     */
    public boolean change(String id, Predicate<Agent> decide) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Agent agent = findById(id);
            if (agent == null || !decide.test(agent)) {
                return false;
            }
            long version = agent.version;
            agent.version = version + 1;
            agent.hasPending = !agent.pending.isEmpty();
            if (mongoCollection().replaceOne(Filters.and(Filters.eq("_id", id), Filters.eq("version", version)), agent)
                    .getModifiedCount() == 1) {
                return true;
            }
        }
        throw new IllegalStateException("agent " + id + " changed " + MAX_ATTEMPTS + " times under us");
    }

    /** The company's agents (index {@code company_id, status}). */
    public List<Agent> ofCompany(String companyId) {
        return mongoCollection().find(Filters.eq("company_id", companyId)).sort(Sorts.ascending("agent_name", "_id"))
                .into(new ArrayList<>());
    }

    /** How many of the company's agents are online now. */
    public long countOnline(String companyId) {
        return mongoCollection().countDocuments(Filters.and(Filters.eq("company_id", companyId),
                Filters.eq("status", Agent.ONLINE)));
    }

    /** Agents offline past their company's grace, soonest first (index {@code lease_due_at}). */
    public List<Agent> leaseDue(Instant now, int limit) {
        return mongoCollection().find(Filters.lte("lease_due_at", now)).sort(Sorts.ascending("lease_due_at")).limit(limit)
                .into(new ArrayList<>());
    }

    /** Ids of agents whose outbox is not empty. */
    public List<String> withPending() {
        return mongoCollection().find(Filters.eq("has_pending", true)).projection(new org.bson.Document("_id", 1))
                .map(a -> a.id).into(new ArrayList<>());
    }
}
