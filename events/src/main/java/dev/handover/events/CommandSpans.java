package dev.handover.events;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.event.CommandFailedEvent;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.event.CommandSucceededEvent;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;

/**
 * Each MongoDB command a span of the work that issued it, named by operation and collection, and never with the
 * command's documents (what customers and agents wrote, page tokens), which the MongoDB client's own tracing puts on
 * its spans. Does nothing while tracing is off. A service that uses MongoDB registers a bean extending it that
 * implements {@code com.mongodb.event.CommandListener} (this class does not, so that indexing this module registers
 * no listener in a service without MongoDB).
 */
public class CommandSpans {

    private final Spans spans;
    private final Map<Integer, Span> started = new ConcurrentHashMap<>();

    public CommandSpans(Spans spans) {
        this.spans = spans;
    }

    public void commandStarted(CommandStartedEvent event) {
        if (!spans.on()) {
            return;
        }
        String collection = collection(event.getCommand(), event.getCommandName());
        Span span = spans.start(event.getCommandName() + (collection == null ? "" : " " + collection), SpanKind.CLIENT);
        span.setAttribute("db.system", "mongodb");
        span.setAttribute("db.operation.name", event.getCommandName());
        span.setAttribute("db.namespace", event.getDatabaseName());
        if (collection != null) {
            span.setAttribute("db.collection.name", collection);
        }
        started.put(event.getRequestId(), span);
    }

    public void commandSucceeded(CommandSucceededEvent event) {
        Span span = started.remove(event.getRequestId());
        if (span != null) {
            span.end();
        }
    }

    public void commandFailed(CommandFailedEvent event) {
        Span span = started.remove(event.getRequestId());
        if (span != null) {
            span.setStatus(StatusCode.ERROR, event.getThrowable().getClass().getSimpleName());
            span.end();
        }
    }

    /** The collection a command names as the value of its first field ({@code {"find": "customers", ...}}). */
    private static String collection(BsonDocument command, String name) {
        BsonValue value = command.get(name);
        return value != null && value.isString() ? value.asString().getValue() : null;
    }
}
