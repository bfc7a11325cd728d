package dev.handover.customer.model;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;
import org.bson.codecs.pojo.annotations.BsonProperty;

import io.quarkus.mongodb.panache.common.MongoEntity;

/** A Facebook Page and the company that owns it: the root of every access decision. */
@MongoEntity(collection = "pages")
public class Page {

    @BsonId
    public String pageId;
    @BsonProperty("page_name")
    public String pageName;
    @BsonProperty("company_id")
    public String companyId;
    @BsonProperty("created_at")
    public Instant createdAt;
    @BsonProperty("updated_at")
    public Instant updatedAt;
}
