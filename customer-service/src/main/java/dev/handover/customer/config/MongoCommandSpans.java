package dev.handover.customer.config;

import jakarta.inject.Singleton;

import com.mongodb.event.CommandListener;

import dev.handover.events.CommandSpans;
import dev.handover.events.Spans;

/** This service's MongoDB commands as spans of the work that issued them (the MongoDB extension registers it). */
@Singleton
public class MongoCommandSpans extends CommandSpans implements CommandListener {

    public MongoCommandSpans(Spans spans) {
        super(spans);
    }
}
