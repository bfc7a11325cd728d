package dev.handover.customer.model;

import java.time.Instant;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * An outbound webhook of a company (collection {@code webhooks}): where Handover POSTs the company's events, which
 * ones, and the secret their signature is made with (shown to the admin once, when the webhook is created).
 */
@MongoEntity(collection = "webhooks")
public class Webhook {

    @BsonId
    public String id;
    @BsonProperty("company_id")
    public String companyId;
    public String url;
    public List<String> events;
    public String secret;
    @BsonProperty("created_at")
    public Instant createdAt;
}
