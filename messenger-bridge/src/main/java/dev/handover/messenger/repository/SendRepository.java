package dev.handover.messenger.repository;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

/**
 * One document per message we were asked to send: claimed before the first call to Facebook, closed with its
 * outcome. A redelivered {@code messenger.outbound} record finds it and is never sent a second time.
 */
@ApplicationScoped
public class SendRepository {

    /** Where a send stands; {@code report} is the JSON of its outcome once it has one. */
    public record Send(String status, String report, String echoMid) {
    }

    private static final Duration ECHO_POLL = Duration.ofMillis(200);

    private final MongoCollection<Document> collection;

    public SendRepository(MongoClient client, @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.collection = client.getDatabase(database).getCollection("sends");
    }

    /** Claims the message for sending; {@code false} if it was claimed before (by us or another replica). */
    public boolean claim(String messageId, Instant at) {
        try {
            collection.insertOne(new Document("_id", messageId).append("status", "sending").append("started_at", Date.from(at)));
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    public Send find(String messageId) {
        Document d = collection.find(Filters.eq("_id", messageId)).first();
        return d == null ? null : new Send(d.getString("status"), d.getString("report"), d.getString("echo_mid"));
    }

    /**
     * Waits until the send has an outcome or the page's echo of it, or {@code until} passes; returns where it
     * stands then ({@code null} if it was never claimed). The owner of a send waits here for the echo after an
     * unanswered call; a replica handed a claimed send waits here for the owner's outcome.
     */
    public Send awaitSettled(String messageId, Instant until) throws InterruptedException {
        while (true) {
            Send send = find(messageId);
            if (send == null || send.report() != null || send.echoMid() != null || !Instant.now().isBefore(until)) {
                return send;
            }
            Thread.sleep(ECHO_POLL.toMillis());
        }
    }

    /** The page echoed our message {@code messageId} (its metadata) as {@code mid}: proof that it went out. */
    public void echoed(String messageId, String mid, Instant at) {
        collection.updateOne(Filters.eq("_id", messageId), Updates.combine(Updates.set("echo_mid", mid),
                Updates.set("echoed_at", Date.from(at))));
    }

    public void finish(String messageId, String status, String report, Instant at) {
        collection.updateOne(Filters.eq("_id", messageId), Updates.combine(Updates.set("status", status),
                Updates.set("report", report), Updates.set("finished_at", Date.from(at))));
    }
}
