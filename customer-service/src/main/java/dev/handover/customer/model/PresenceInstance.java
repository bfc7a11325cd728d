package dev.handover.customer.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * The last presence report of one gateway instance for one company (collection {@code presence}, {@code _id}
 * {@code instance/company}): which agents have a connection there, until {@code expires_at} unless restated.
 */
@MongoEntity(collection = "presence")
public class PresenceInstance {

    @BsonId
    public String id;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("instance_id")
    public String instanceId;
    @BsonProperty("agent_ids")
    public List<String> agentIds = new ArrayList<>();
    @BsonProperty("expires_at")
    public Instant expiresAt;

    public static String key(String instanceId, String companyId) {
        return instanceId + "/" + companyId;
    }
}
