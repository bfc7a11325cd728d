package dev.handover.customer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Singleton;

import org.bson.BsonDocument;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;

/**
 * Every query and write this service sends to the database while tests run, as the driver's command listener
 * sees it (Quarkus registers a {@link CommandListener} bean with its client), for {@code QueryPlansTest}; and
 * every command that reads or writes documents, inserts included, for {@code RoundTripsTest}.
 */
@Singleton
public class RecordedCommands implements CommandListener {

    /** Commands that read or change documents chosen by a filter. */
    private static final List<String> FILTERED = List.of("find", "aggregate", "count", "distinct", "update", "delete",
            "findAndModify");
    private static final int KEPT = 20_000;

    /** A command as sent, with the database it went to. */
    public record Command(String database, String name, BsonDocument body) {
        public String collection() {
            return body.getString(name).getValue();
        }
    }

    /** Commands that read or write documents, inserts included. */
    private static final List<String> DOCUMENTS = List.of("find", "aggregate", "count", "distinct", "update", "delete",
            "findAndModify", "insert", "getMore");

    private final ConcurrentLinkedQueue<Command> commands = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Command> documents = new ConcurrentLinkedQueue<>();
    private final AtomicInteger documentsSize = new AtomicInteger();
    private final AtomicInteger size = new AtomicInteger();

    @Override
    public void commandStarted(CommandStartedEvent event) {
        if (FILTERED.contains(event.getCommandName()) && size.incrementAndGet() <= KEPT) {
            commands.add(new Command(event.getDatabaseName(), event.getCommandName(), event.getCommand().clone()));
        }
        if (DOCUMENTS.contains(event.getCommandName()) && documentsSize.incrementAndGet() <= KEPT) {
            documents.add(new Command(event.getDatabaseName(), event.getCommandName(), event.getCommand().clone()));
        }
    }

    public List<Command> all() {
        return new ArrayList<>(commands);
    }

    /** Every command that read or wrote documents, in the order sent. */
    public List<Command> documents() {
        return new ArrayList<>(documents);
    }

    /** The commands that read or wrote documents after the first {@code from}, in the order sent. */
    public List<Command> documentsSince(int from) {
        List<Command> all = documents();
        return all.subList(Math.min(from, all.size()), all.size());
    }
}
