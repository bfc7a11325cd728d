package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.producer.ProducerRecord;

import dev.handover.events.Attachment;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.CustomerSnapshot;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.Topics;
import dev.handover.testing.TestPages;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** A fresh company in the running customer-service, and customers who write through Kafka as the bridge would. */
final class World {

    static final Duration WAIT = Duration.ofSeconds(15);

    final String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
    private final String customerService;
    private final KafkaCompanion kafka;

    World(String customerService, KafkaCompanion kafka) {
        this.customerService = customerService;
        this.kafka = kafka;
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String token(String agentId) {
        return TestTokens.agent(agentId, company);
    }

    String page() {
        String pageId = id("page");
        TestPages.connected(pageId, company, "Shop " + pageId);
        return pageId;
    }

    void customerWrites(String pageId, String customerId, String text) {
        customerSends(pageId, customerId, text, null);
    }

    /** A photo from the customer, as Messenger's webhook carries it (no text). */
    void customerSendsPhoto(String pageId, String customerId, String url) {
        customerSends(pageId, customerId, null, List.of(new Attachment("image", url)));
    }

    private void customerSends(String pageId, String customerId, String text, List<Attachment> attachments) {
        String mid = id("m");
        var event = new InboundEvent(mid, InboundKind.MESSAGE, pageId, customerId,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), mid, text, attachments, null, null, null, null, null, null,
                null, "John", "Doe");
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                Topics.conversationKey(pageId, customerId), new JsonSerializer().serialize("t", event))).awaitCompletion(WAIT);
    }

    /** A customer who asked for a human, once customer-service lists them. */
    String waitingCustomer(String pageId) {
        String customerId = id("psid");
        customerWrites(pageId, customerId, "I want to speak to a human");
        await().atMost(WAIT).until(() -> given().baseUri(customerService).auth().oauth2(token("watcher"))
                .queryParam("page_id", pageId).get("/api/dashboard/customers/stopped").then().extract()
                .<List<String>>path("customers.customer_id").contains(customerId));
        return customerId;
    }

    /** Publishes a record's bytes as they are to {@code customer.events}, keyed by this company. */
    void raw(byte[] value) {
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.CUSTOMER_EVENTS, company, value))
                .awaitCompletion(WAIT);
    }

    /** Publishes a broadcast of this company straight to {@code customer.events}. */
    void broadcast(String customerId, String text) {
        broadcast(customerId, text, 1);
    }

    /** {@code times} records of the same request, produced together (one producer, one wait). */
    void broadcast(String customerId, String text, int times) {
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            var customer = new CustomerSnapshot(customerId, "Jo", "Jo", null, "page-x", "Page X", company, 1, text,
                    Instant.now(), Instant.now(), true, Instant.now(), null, null, null, null, Instant.now(), Instant.now());
            var event = new CustomerEvent(UUID.randomUUID().toString(), CustomerEventType.AGENT_REQUESTED, company,
                    Instant.now(), customer, true, null, null, null, null, null, null);
            records.add(new ProducerRecord<>(Topics.CUSTOMER_EVENTS, company, new JsonSerializer().serialize("t", event)));
        }
        kafka.produce(String.class, byte[].class).fromRecords(records).awaitCompletion(WAIT);
    }
}
