package dev.handover.customer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.handover.events.AgentRef;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureChecks;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The service runs against the real broker and wire server, and reports itself healthy and measurable. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class InfrastructureTest {

    KafkaCompanion companion;

    @Inject
    MongoClient mongo;

    @Test
    void aCustomerEventGoesOutAndComesBackThroughKafka() {
        var event = new CustomerEvent("evt-1", CustomerEventType.AGENT_ASSIGNMENT_CHANGED, "company_1",
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null,
                new AgentRef("agent_1", "Agent Smith", "smith@example.com"), "assigned", null, null, "taken", null);
        assertEquals(event, InfrastructureChecks.kafkaRoundTrip(companion, Topics.CUSTOMER_EVENTS, event,
                new CustomerEvent.Deserializer()));
    }

    @Test
    void aDocumentGoesIntoMongoAndComesBack() {
        var back = InfrastructureChecks.mongoRoundTrip(mongo, "handover",
                new Document("customer_id", "123").append("stop", true));
        assertEquals("123", back.getString("customer_id"));
        assertEquals(true, back.getBoolean("stop"));
    }

    @Test
    void healthIncludesKafkaAndMongoAndMetricsArePublished() {
        InfrastructureChecks.assertOperable("Kafka connection health check", "MongoDB connection health check");
    }
}
