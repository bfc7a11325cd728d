package dev.handover.customer.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * An agent of a company (collection {@code agents}, {@code _id} {@code company:agent}): as their token last named
 * them (who a customer may be transferred to), where they stand ({@code status}: {@code online} or {@code away}
 * as they chose while connected anywhere, {@code offline} once no gateway reports them; {@code null} for an
 * agent never connected), and when their customers go back to the queue if they stay offline
 * ({@code lease_due_at}). Like a customer, the agent keeps the events a change owes in its own outbox.
 */
@MongoEntity(collection = "agents")
public class Agent {

    public static final String ONLINE = "online";
    public static final String AWAY = "away";
    public static final String OFFLINE = "offline";

    @BsonId
    public String id;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("agent_id")
    public String agentId;
    @BsonProperty("agent_name")
    public String agentName;
    @BsonProperty("agent_email")
    public String agentEmail;
    @BsonProperty("seen_at")
    public Instant seenAt;
    public String status;
    /** What the agent chose with {@code set_status} ({@code null} = online): their status while connected. */
    @BsonProperty("chosen_status")
    public String chosenStatus;
    @BsonProperty("status_since")
    public Instant statusSince;
    @BsonProperty("lease_due_at")
    public Instant leaseDueAt;
    /** Incremented by every write: a change is stored only over the version it was decided on. */
    public long version;
    public List<PendingRecord> pending = new ArrayList<>();
    @BsonProperty("has_pending")
    public boolean hasPending;

    public static String key(String companyId, String agentId) {
        return companyId + ":" + agentId;
    }

    /** The status to show: an agent never connected is offline. */
    public String shownStatus() {
        return status == null ? OFFLINE : status;
    }

    /** What the agent is while at least one connection of theirs is open. */
    public String connectedStatus() {
        return chosenStatus == null ? ONLINE : chosenStatus;
    }
}
