package dev.handover.customer.repository;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.conversions.Bson;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import dev.handover.customer.model.Message;
import dev.handover.customer.model.MessageStatus;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** The conversation history. Writes are idempotent: a redelivered record finds its message already there. */
@ApplicationScoped
public class MessageRepository implements PanacheMongoRepositoryBase<Message, String> {

    /** Stores the messages in one command; one stored before (its outbox record delivered twice) stays as it is. */
    public void insertAll(List<Message> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            mongoCollection().insertMany(batch, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            if (e.getWriteErrors().stream().anyMatch(error -> ErrorCategory.fromErrorCode(error.getCode())
                    != ErrorCategory.DUPLICATE_KEY) || e.getWriteConcernError() != null) {
                throw e;
            }
        }
    }

    /** Stores the message unless one with its id exists; tells whether it was new. */
    public boolean insertOnce(Message message) {
        try {
            mongoCollection().insertOne(message);
            return true;
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    /**
     * One page of a conversation, newest first, starting after the cursor position ({@code beforeTime},
     * {@code beforeId}) when given: keyset pagination, stable while new messages arrive.
     */
    public List<Message> history(String pageId, String customerId, Instant beforeTime, String beforeId, int limit) {
        Bson conversation = Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId));
        Bson filter = beforeTime == null ? conversation : Filters.and(conversation, Filters.lte("created_at", beforeTime),
                Filters.or(
                Filters.lt("created_at", beforeTime),
                Filters.and(Filters.eq("created_at", beforeTime), Filters.lt("_id", beforeId))));
        return mongoCollection().find(filter).sort(Sorts.descending("created_at", "_id")).limit(limit)
                .into(new ArrayList<>());
    }

    /** The newest messages agents sent in a conversation (the history index's prefix, then its order). */
    public List<Message> sentByAgents(String pageId, String customerId, int limit) {
        return mongoCollection().find(Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId),
                Filters.eq("author", "agent"))).sort(Sorts.descending("created_at", "_id")).limit(limit)
                .into(new ArrayList<>());
    }

    /** Our message reached Facebook: record its {@code mid}, unless it has moved on already. */
    public boolean markSent(String messageId, String mid, Instant at) {
        boolean moved = mongoCollection().updateOne(Filters.and(Filters.eq("_id", messageId),
                Filters.in("status", MessageStatus.QUEUED, MessageStatus.FAILED)),
                Updates.combine(Updates.set("status", MessageStatus.SENT), Updates.set("mid", mid),
                        Updates.unset("error"), Updates.unset("send_due_at"), Updates.set("updated_at", at)))
                .getModifiedCount() > 0;
        if (!moved) {
            // a delivery or read receipt may have overtaken the report: keep the status, still learn the mid
            mongoCollection().updateOne(Filters.and(Filters.eq("_id", messageId), Filters.eq("mid", null)),
                    Updates.set("mid", mid));
        }
        return moved;
    }

    /** The customer edited a message of theirs: the history shows the new text; {@code false} if none was found. */
    public boolean edit(String mid, String customerId, String text, Instant at) {
        return mongoCollection().updateOne(Filters.and(Filters.eq("_id", mid), Filters.eq("customer_id", customerId),
                Filters.eq("direction", Message.INBOUND)), Updates.combine(Updates.set("text", text),
                        Updates.set("edited_at", at), Updates.set("updated_at", at))).getMatchedCount() > 0;
    }

    /**
     * The customer reacted to a message of the conversation ({@code null}: took the reaction back): by {@code _id}
     * for the customer's own messages, else by {@code mid} within the conversation (index {@code page_id,
     * customer_id, created_at, _id}); {@code false} if no message was found.
     */
    public boolean react(String mid, String pageId, String customerId, String reaction, Instant at) {
        Bson change = Updates.combine(reaction == null ? Updates.unset("reaction") : Updates.set("reaction", reaction),
                Updates.set("updated_at", at));
        // a customer's message is stored under its mid; a page's message (ours, the bot's) has the mid as a field
        return mongoCollection().updateOne(Filters.and(Filters.eq("_id", mid), Filters.eq("customer_id", customerId)), change)
                .getMatchedCount() > 0
                || mongoCollection().updateOne(Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId),
                        Filters.eq("mid", mid)), change).getMatchedCount() > 0;
    }

    /** A queued message failed; {@code false} if it had moved on already. */
    public boolean markFailed(String messageId, String error, Instant at) {
        return mongoCollection().updateOne(Filters.and(Filters.eq("_id", messageId), Filters.eq("status", MessageStatus.QUEUED)),
                Updates.combine(Updates.set("status", MessageStatus.FAILED), Updates.set("error", error),
                        Updates.unset("send_due_at"), Updates.set("updated_at", at))).getModifiedCount() > 0;
    }

    /** Messages whose outcome is overdue, the oldest first (index {@code send_due_at}, sparse). */
    public List<Message> overdue(Instant now, int limit) {
        return mongoCollection().find(Filters.lte("send_due_at", now)).sort(Sorts.ascending("send_due_at"))
                .projection(Projections.include("_id", "page_id", "customer_id")).limit(limit).into(new ArrayList<>());
    }

    /** The message needs no deadline any more (it moved on before its deadline was looked at). */
    public void settled(String messageId) {
        mongoCollection().updateOne(Filters.eq("_id", messageId), Updates.unset("send_due_at"));
    }

    /**
     * Moves the conversation's outbound messages written up to {@code watermark} forward to {@code status} and
     * returns their ids (index {@code page_id, customer_id, created_at, _id}: one conversation's messages).
     */
    public List<String> advance(String pageId, String customerId, Instant watermark, String status, List<String> from,
            Instant at) {
        Bson filter = Filters.and(Filters.eq("page_id", pageId), Filters.eq("customer_id", customerId),
                Filters.eq("direction", Message.OUTBOUND), Filters.in("status", from), Filters.lte("created_at", watermark));
        List<String> ids = mongoCollection().find(filter).projection(Projections.include("_id"))
                .map(m -> m.id).into(new ArrayList<>());
        if (!ids.isEmpty()) {
            mongoCollection().updateMany(Filters.and(Filters.in("_id", ids), Filters.in("status", from)),
                    Updates.combine(Updates.set("status", status), Updates.unset("send_due_at"), Updates.set("updated_at", at)));
        }
        return ids;
    }
}
