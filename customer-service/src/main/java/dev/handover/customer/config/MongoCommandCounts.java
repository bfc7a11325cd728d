package dev.handover.customer.config;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.inject.Singleton;

import org.bson.BsonValue;

import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Counts the database commands this service sends, by command and collection
 * ({@code handover_mongodb_commands_total}): what each customer message and agent command costs the database, as
 * {@code ./handover bench e2e} reports it (the MongoDB extension registers it with the client).
 */
@Singleton
public class MongoCommandCounts implements CommandListener {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    public MongoCommandCounts(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void commandStarted(CommandStartedEvent event) {
        String command = event.getCommandName();
        BsonValue named = event.getCommand().get(command);
        String collection = named != null && named.isString() ? named.asString().getValue() : "";
        counters.computeIfAbsent(command + ' ' + collection, key -> Counter.builder("handover.mongodb.commands")
                .description("Database commands sent, by command and collection").tag("command", command)
                .tag("collection", collection).register(registry)).increment();
    }
}
