package dev.handover.testing;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import dev.handover.events.JsonDeserializer;
import dev.handover.events.JsonSerializer;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** What every service's tests check of the infrastructure, written once. */
public final class InfrastructureChecks {

    private InfrastructureChecks() {
    }

    /**
     * Writes {@code value} to {@code topic} through the real broker with the shared JSON codec, reads the topic
     * back and returns the record that carries the same (fresh) key, decoded.
     */
    public static <T> T kafkaRoundTrip(KafkaCompanion companion, String topic, T value, JsonDeserializer<T> decoder) {
        String key = UUID.randomUUID().toString();
        byte[] bytes = new JsonSerializer().serialize(topic, value);
        companion.produce(String.class, byte[].class)
                .fromRecords(new ProducerRecord<>(topic, key, bytes))
                .awaitCompletion(Duration.ofSeconds(10));
        try (var consumer = companion.consume(String.class, byte[].class)
                .withGroupId("round-trip-" + key)
                .fromTopics(topic)) {
            ConsumerRecord<String, byte[]> back = await().atMost(Duration.ofSeconds(15))
                    .until(() -> consumer.getRecords().stream().filter(r -> key.equals(r.key())).findFirst(),
                            Optional::isPresent)
                    .orElseThrow();
            return decoder.deserialize(topic, back.value());
        }
    }

    /** Stores a document through {@code client} in the wire server and returns it as read back by its id. */
    public static Document mongoRoundTrip(MongoClient client, String database, Document document) {
        MongoCollection<Document> collection = client.getDatabase(database).getCollection("infrastructure_check");
        Object id = UUID.randomUUID().toString();
        collection.insertOne(new Document(document).append("_id", id));
        return collection.find(Filters.eq("_id", id)).first();
    }

    /** Liveness and readiness are UP, readiness lists {@code readinessChecks}, metrics are Prometheus text. */
    public static void assertOperable(String... readinessChecks) {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems(readinessChecks));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
    }
}
