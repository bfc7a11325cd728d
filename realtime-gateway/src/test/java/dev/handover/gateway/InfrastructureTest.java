package dev.handover.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.junit.jupiter.api.Test;

import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.SenderAction;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureChecks;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The gateway runs against the real broker and reports itself healthy and measurable; it has no database. */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class InfrastructureTest {

    KafkaCompanion companion;

    @Test
    void aTypingActionGoesOutAndComesBackThroughKafka() {
        var typing = new OutboundMessage("msg-1", OutboundKind.SENDER_ACTION, "company_1", "page_1", "psid_1", null,
                SenderAction.TYPING_ON, null, Instant.now().truncatedTo(ChronoUnit.MILLIS));
        assertEquals(typing, InfrastructureChecks.kafkaRoundTrip(companion, Topics.MESSENGER_OUTBOUND, typing,
                new OutboundMessage.Deserializer()));
    }

    @Test
    void healthIncludesKafkaAndMetricsArePublished() {
        InfrastructureChecks.assertOperable("Kafka connection health check");
    }
}
