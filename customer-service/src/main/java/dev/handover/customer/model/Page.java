package dev.handover.customer.model;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A Facebook Page and the company that owns it: the root of every access decision. {@code handover_mode} says
 * how the page's bot learns that a human took over: {@code flag} (the bot reads Handover's {@code stop}) or
 * {@code protocol} (Messenger's handover protocol: the bot app {@code bot_app_id} is the primary receiver and
 * Handover takes and passes thread control).
 */
@MongoEntity(collection = "pages")
public class Page {

    @BsonId
    public String pageId;
    @BsonProperty("page_name")
    public String pageName;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("handover_mode")
    public String handoverMode;
    @BsonProperty("bot_app_id")
    public String botAppId;
    @BsonProperty("created_at")
    public Instant createdAt;
    @BsonProperty("updated_at")
    public Instant updatedAt;

    public static final String FLAG = "flag";
    public static final String PROTOCOL = "protocol";

    /** Whether Handover takes and passes thread control for this page's conversations. */
    public boolean usesProtocol() {
        return PROTOCOL.equals(handoverMode) && botAppId != null;
    }

    public String mode() {
        return handoverMode == null ? FLAG : handoverMode;
    }
}
