package dev.handover.customer.model;

import java.time.Instant;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * One message of a conversation. Inbound and echoed messages are keyed by Facebook's {@code mid}, so a
 * redelivery cannot store them twice; agents' messages by our own id, which Facebook echoes back as metadata.
 */
@MongoEntity(collection = "messages")
public class Message {

    public static final String INBOUND = "inbound";
    public static final String OUTBOUND = "outbound";

    @BsonId
    public String id;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("page_id")
    public String pageId;
    @BsonProperty("customer_id")
    public String customerId;
    /** {@link #INBOUND} or {@link #OUTBOUND}. */
    public String direction;
    /** customer, bot or agent. */
    public String author;
    @BsonProperty("agent_id")
    public String agentId;
    @BsonProperty("agent_name")
    public String agentName;
    @BsonProperty("agent_email")
    public String agentEmail;
    public String text;
    public List<MessageAttachment> attachments;
    public String mid;
    /** The {@code mid} of the message this one answers. */
    @BsonProperty("reply_to")
    public String replyTo;
    /** The customer's reaction to this message, if any. */
    public String reaction;
    /** When the customer last edited it (its text is the edited one). */
    @BsonProperty("edited_at")
    public Instant editedAt;
    /** True for what came while the page's bot owned the conversation (Messenger's standby channel). */
    public Boolean standby;
    /** received (inbound), or queued, sent, failed, delivered, read (outbound). */
    public String status;
    public String error;
    /** An agent's or a notice's text waiting for its outcome is failed at this time; absent once it has one. */
    @BsonProperty("send_due_at")
    public Instant sendDueAt;
    @BsonProperty("created_at")
    public Instant createdAt;
    @BsonProperty("updated_at")
    public Instant updatedAt;
}
