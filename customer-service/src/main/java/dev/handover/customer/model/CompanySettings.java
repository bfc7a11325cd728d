package dev.handover.customer.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A company's handoff rules (collection {@code settings}, one document per company): how long an absent agent
 * keeps their customers, how long a customer may wait for an answer or in the queue, how many chats an agent
 * takes at once, what the customer is told, and the canned replies its agents use. A company that never saved any has the defaults below.
 */
@MongoEntity(collection = "settings")
public class CompanySettings {

    @BsonId
    public String companyId;
    @BsonProperty("presence_grace_seconds")
    public int presenceGraceSeconds = 120;
    @BsonProperty("response_timeout_seconds")
    public int responseTimeoutSeconds = 300;
    @BsonProperty("max_wait_seconds")
    public int maxWaitSeconds = 1800;
    @BsonProperty("max_active_chats")
    public int maxActiveChats;
    @BsonProperty("queue_message")
    public String queueMessage = "";
    @BsonProperty("no_agent_message")
    public String noAgentMessage = "";
    @BsonProperty("max_wait_message")
    public String maxWaitMessage = "";
    @BsonProperty("canned_replies")
    public List<CannedReply> cannedReplies = new ArrayList<>();
    @BsonProperty("updated_at")
    public Instant updatedAt;

    public static CompanySettings defaults(String companyId) {
        CompanySettings settings = new CompanySettings();
        settings.companyId = companyId;
        return settings;
    }
}
