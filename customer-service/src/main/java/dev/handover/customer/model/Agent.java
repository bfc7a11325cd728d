package dev.handover.customer.model;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * An agent of a company as their token last named them (collection {@code agents}, {@code _id}
 * {@code company:agent}): who a customer may be transferred to.
 */
@MongoEntity(collection = "agents")
public class Agent {

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

    public static String key(String companyId, String agentId) {
        return companyId + ":" + agentId;
    }
}
