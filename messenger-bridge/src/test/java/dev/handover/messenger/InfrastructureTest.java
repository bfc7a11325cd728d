package dev.handover.messenger;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureChecks;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The service runs against the real broker and wire server, and reports itself healthy and measurable. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class InfrastructureTest {

    KafkaCompanion companion;

    @Inject
    MongoClient mongo;

    @Test
    void anInboundEventGoesOutAndComesBackThroughKafka() {
        var event = new InboundEvent("m_1", InboundKind.MESSAGE, "page_1", "psid_1",
                Instant.now().truncatedTo(ChronoUnit.MILLIS), "m_1", "I want to speak to a human", List.of(),
                null, null, null, null, null, null, null, "John", "Doe");
        assertEquals(event, InfrastructureChecks.kafkaRoundTrip(companion, Topics.MESSENGER_INBOUND, event,
                new InboundEvent.Deserializer()));
    }

    @Test
    void aDocumentGoesIntoMongoAndComesBack() {
        var back = InfrastructureChecks.mongoRoundTrip(mongo, "handover-bridge",
                new Document("mid", "m_1").append("seen", true));
        assertEquals("m_1", back.getString("mid"));
        assertEquals(true, back.getBoolean("seen"));
    }

    @Test
    void readinessFollowsTheWebhookSpoolNotKafkaNorMongoAndMetricsArePublished() {
        InfrastructureChecks.assertOperable("webhook-spool");
        given().get("/q/health/ready").then().body("checks.name", not(hasItem("Kafka connection health check")))
                .body("checks.name", not(hasItem("MongoDB connection health check")));
        given().get("/q/metrics").then().body(containsString("handover_webhook_spool_bodies"));
    }
}
