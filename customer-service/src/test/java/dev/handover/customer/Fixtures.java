package dev.handover.customer;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

import dev.handover.events.AgentRef;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.PresenceReport;
import dev.handover.events.Topics;
import dev.handover.testing.TestPages;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * A fresh company per test (unique ids, so tests share the broker and database without seeing each other),
 * with helpers that go through the real paths: admin REST for pages, Kafka for what customers write.
 */
final class Fixtures {

    static final Duration WAIT = Duration.ofSeconds(15);

    final String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
    final String adminToken = TestTokens.admin("admin-" + company, company);
    private final KafkaCompanion kafka;

    Fixtures(KafkaCompanion kafka) {
        this.kafka = kafka;
    }

    static RequestSpecification as(String token) {
        return given().auth().oauth2(token).contentType(ContentType.JSON);
    }

    static String id(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String agentToken(String agentId) {
        return TestTokens.agent(agentId, company);
    }

    /** A page this company connected before the test. */
    String page() {
        String pageId = id("page");
        TestPages.connected(pageId, company, "Page " + pageId);
        return pageId;
    }

    /** Publishes what messenger-bridge would for a customer's text message, and returns it. */
    InboundEvent customerWrites(String pageId, String customerId, String text) {
        String mid = id("m");
        var event = new InboundEvent(mid, InboundKind.MESSAGE, pageId, customerId,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), mid, text, null, null, null, null, null, null, null,
                null, "Jane", "Roe");
        publish(event);
        return event;
    }

    void publish(InboundEvent event) {
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND,
                Topics.conversationKey(event.pageId(), event.customerId()),
                new JsonSerializer().serialize(Topics.MESSENGER_INBOUND, event))).awaitCompletion(WAIT);
    }

    /** A customer of {@code pageId} who has asked for a human, as every agent sees them. */
    String waitingCustomer(String pageId) {
        String customerId = id("psid");
        customerWrites(pageId, customerId, "I want to talk to a human please");
        await().atMost(WAIT).until(() -> as(adminToken).queryParam("page_id", pageId)
                .get("/api/dashboard/customers/stopped").then().statusCode(200).extract()
                .<List<String>>path("customers.customer_id").contains(customerId));
        return customerId;
    }

    /** Starts reading {@code customer.events} of this company from the beginning. */
    ConsumerTask<String, byte[]> events() {
        return kafka.consume(String.class, byte[].class).withGroupId(id("test"))
                .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.CUSTOMER_EVENTS);
    }

    /** Waits for and returns the events of this company, in order, that match. */
    List<CustomerEvent> awaitEvents(ConsumerTask<String, byte[]> task, CustomerEventType type, String customerId,
            int count) {
        return await().atMost(WAIT).until(() -> eventsOf(task, type, customerId), list -> list.size() >= count);
    }

    /** The types of the customer's events, in the order agents receive them. */
    List<CustomerEventType> typesOf(ConsumerTask<String, byte[]> task, String customerId) {
        var decoder = new CustomerEvent.Deserializer();
        return task.getRecords().stream().filter(r -> company.equals(r.key()))
                .map(r -> decoder.deserialize(Topics.CUSTOMER_EVENTS, r.value()))
                .filter(e -> e.customer() != null && customerId.equals(e.customer().customerId())).map(CustomerEvent::type)
                .toList();
    }

    /** The {@code agent_status_changed} events of one agent of this company, in order. */
    List<CustomerEvent> statusesOf(ConsumerTask<String, byte[]> task, String agentId) {
        var decoder = new CustomerEvent.Deserializer();
        return task.getRecords().stream().filter(r -> company.equals(r.key()))
                .map(r -> decoder.deserialize(Topics.CUSTOMER_EVENTS, r.value()))
                .filter(e -> e.type() == CustomerEventType.AGENT_STATUS_CHANGED && agentId.equals(e.agent().id()))
                .toList();
    }

    /** Publishes what a gateway instance would: who of this company is connected there. */
    /**
     * Waits until the customer's audit trail shows {@code expected} at {@code path}: a change's audit lines are written
     * within {@code handover.outbox.settle-interval} of it.
     */
    void awaitAudit(String page, String customer, String path, Object expected) {
        await().atMost(WAIT).until(() -> as(adminToken).queryParam("page_id", page)
                .get("/api/admin/customers/" + customer + "/audit").then().statusCode(200).extract().path(path),
                expected::equals);
    }

    void presence(String instance, long ttlSeconds, String... agentIds) {
        var agents = Arrays.stream(agentIds)
                .map(a -> new AgentRef(a, "Agent " + a, a + "@example.com"))
                .toList();
        kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.STAFF_PRESENCE, company,
                new JsonSerializer().serialize(Topics.STAFF_PRESENCE, new PresenceReport(instance, company,
                        agents, Instant.now(), ttlSeconds)))).awaitCompletion(WAIT);
    }

    List<CustomerEvent> eventsOf(ConsumerTask<String, byte[]> task, CustomerEventType type, String customerId) {
        var decoder = new CustomerEvent.Deserializer();
        return task.getRecords().stream().filter(r -> company.equals(r.key()))
                .map(ConsumerRecord::value)
                .map(bytes -> decoder.deserialize(Topics.CUSTOMER_EVENTS, bytes))
                .filter(e -> e.type() == type && e.customer() != null && customerId.equals(e.customer().customerId()))
                .toList();
    }
}
