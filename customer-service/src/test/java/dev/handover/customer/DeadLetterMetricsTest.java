package dev.handover.customer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** An operator sees how many records each dead-letter topic holds, not only that some arrived lately. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class DeadLetterMetricsTest {

    KafkaCompanion companion;

    @Test
    void recordsSetAsideAreCountedPerTopic() {
        // counted once a second here: after the first count, the figure is the topic's
        await().atMost(Fixtures.WAIT).until(() -> held(Topics.MESSENGER_INBOUND_DLQ) >= 0 && held(Topics.MESSENGER_DELIVERY_DLQ) >= 0);
        long inboundBefore = held(Topics.MESSENGER_INBOUND_DLQ);
        long deliveryBefore = held(Topics.MESSENGER_DELIVERY_DLQ);
        companion.produceStrings().fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND_DLQ, "page:psid", "{\"a\":1}"),
                new ProducerRecord<>(Topics.MESSENGER_INBOUND_DLQ, "page:psid", "{\"a\":2}")).awaitCompletion(Fixtures.WAIT);

        await().atMost(Fixtures.WAIT).until(() -> held(Topics.MESSENGER_INBOUND_DLQ) == inboundBefore + 2);
        assertTrue(held(Topics.MESSENGER_DELIVERY_DLQ) == deliveryBefore, "the other topic's count moved");
    }

    /** The gauge's value for {@code topic}; -1 while it is not there. */
    private static long held(String topic) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher m = Pattern.compile("(?m)^handover_dlq_records\\{[^}]*topic=\"" + Pattern.quote(topic) + "\"[^}]*} ([0-9.E+]+)$")
                .matcher(metrics);
        return m.find() ? (long) Double.parseDouble(m.group(1)) : -1;
    }
}
