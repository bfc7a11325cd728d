package dev.handover.messenger;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.messenger.sandbox.SandboxResource;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The local sandbox: a played customer goes through the signed webhook; sends land in the sandbox Graph API. */
@QuarkusTest
@TestProfile(SandboxTest.Sandbox.class)
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class SandboxTest {

    /** Sandbox on, with the local app secret it demands. */
    public static class Sandbox implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // its own consumer group: the default profile's consumer, just stopped, is not waited for
            return Map.of("messenger.sandbox.enabled", "true", "messenger.app-secret", SandboxResource.LOCAL_APP_SECRET,
                    "mp.messaging.incoming.messenger-outbound.group.id", "messenger-bridge-sandbox");
        }
    }

    KafkaCompanion companion;

    @Test
    void aPlayedCustomerReachesKafkaWithNamesAndWhatThePageSendsIsRecorded() {
        assertEquals(422, ConnectedPages.connect(ConnectedPages.COMPANY, "page-1", "sandbox-page-token-page-2"));
        assertEquals(200, ConnectedPages.connect(ConnectedPages.COMPANY, "page-1", SandboxResource.pageToken("page-1")));
        String psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        var inbound = companion.consume(String.class, byte[].class).withGroupId("sb-" + psid).fromTopics(Topics.MESSENGER_INBOUND);
        given().contentType(ContentType.JSON).body("{\"text\":\"I want a human\",\"first_name\":\"Sam\",\"last_name\":\"Box\"}")
                .post("/sandbox/pages/page-1/customers/" + psid + "/messages").then().statusCode(202)
                .body("webhook_status", equalTo(200));
        InboundEvent event = await().atMost(Duration.ofSeconds(10)).until(() -> inbound.getRecords().stream()
                .filter(r -> Topics.conversationKey("page-1", psid).equals(r.key())).map(ConsumerRecord::value)
                .map(v -> new InboundEvent.Deserializer().deserialize("t", v)).toList(), l -> !l.isEmpty()).get(0);
        assertEquals("I want a human", event.text());
        assertEquals("Sam", event.firstName());
        // a photo, as Messenger carries one: no text, the URL in the attachment's payload
        given().contentType(ContentType.JSON).body("{\"attachments\":[{\"type\":\"image\",\"url\":\"https://example.com/a.png\"}]}")
                .post("/sandbox/pages/page-1/customers/" + psid + "/messages").then().statusCode(202)
                .body("webhook_status", equalTo(200));
        InboundEvent photo = await().atMost(Duration.ofSeconds(10)).until(() -> inbound.getRecords().stream()
                .map(ConsumerRecord::value).map(v -> new InboundEvent.Deserializer().deserialize("t", v))
                .filter(e -> psid.equals(e.customerId()) && e.attachments() != null && !e.attachments().isEmpty()).findFirst(),
                java.util.Optional::isPresent)
                .orElseThrow();
        inbound.close();
        assertEquals(List.of(new dev.handover.events.Attachment("image", "https://example.com/a.png")), photo.attachments());
        assertEquals(null, photo.text());
        given().contentType(ContentType.JSON).body("{\"attachments\":[]}")
                .post("/sandbox/pages/page-1/customers/" + psid + "/messages").then().statusCode(400)
                .body("error", equalTo("text, postback or attachments is required"));
        // the sandbox calls its webhook on loopback: a request's Host header never says where
        given().header("Host", "attacker.invalid:9").contentType(ContentType.JSON).body("{\"text\":\"again\"}")
                .post("/sandbox/pages/page-1/customers/" + psid + "/messages").then().statusCode(202)
                .body("webhook_status", equalTo(200));

        var reply = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, "page-1", psid, "Hi Sam!", null,
                Instant.now(), Instant.now());
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_OUTBOUND,
                Topics.conversationKey("page-1", psid), new JsonSerializer().serialize("t", reply)))
                .awaitCompletion(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().get("/sandbox/pages/page-1/customers/" + psid
                + "/messages").then().statusCode(200).body("text", equalTo(List.of("Hi Sam!")))
                .body("[0].messaging_type", equalTo("RESPONSE")));
    }

    @Test
    void likeMessengerItEchoesDeliversReadsAndFailsOnRequest() {
        assertEquals(200, ConnectedPages.connect(ConnectedPages.COMPANY, "page-1", SandboxResource.pageToken("page-1")));
        String psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        var inbound = companion.consume(String.class, byte[].class).withGroupId("sbf-" + psid).fromTopics(Topics.MESSENGER_INBOUND);
        var reports = companion.consume(String.class, byte[].class).withGroupId("sbr-" + psid).fromTopics(Topics.MESSENGER_DELIVERY);
        given().contentType(ContentType.JSON).body("{\"text\":\"hello\"}").post("/sandbox/pages/page-1/customers/" + psid
                + "/messages").then().statusCode(202);
        // the person playing the customer makes Facebook fail: the person is unavailable once, then the connection
        // is reset once (no answer, no echo: sent again), then all is well
        given().contentType(ContentType.JSON).body("{\"fault\":\"user_unavailable\"}").post("/sandbox/pages/page-1/customers/"
                + psid + "/faults").then().statusCode(202);
        given().contentType(ContentType.JSON).body("{\"fault\":\"connection_reset\"}").post("/sandbox/pages/page-1/customers/"
                + psid + "/faults").then().statusCode(202);
        given().contentType(ContentType.JSON).body("{\"fault\":\"meteor\"}").post("/sandbox/pages/page-1/customers/"
                + psid + "/faults").then().statusCode(400);
        reply(psid, "First try");
        OutboundMessage second = reply(psid, "Second try");
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(20)).until(() -> reports.getRecords().stream()
                .map(ConsumerRecord::value).map(v -> new DeliveryReport.Deserializer().deserialize("t", v))
                .filter(r -> psid.equals(r.customerId())).toList(), l -> l.size() >= 2);
        assertEquals(DeliveryStatus.FAILED, outcomes.get(0).status());
        assertEquals(551, outcomes.get(0).errorCode());
        assertEquals(DeliveryStatus.SENT, outcomes.get(1).status());
        assertEquals(2, outcomes.get(1).attempts());
        given().get("/sandbox/pages/page-1/customers/" + psid + "/messages").then().body("text", equalTo(List.of("Second try")));

        // the echo and the delivery receipt go out on their own after the send: the customer reads after them
        await().atMost(Duration.ofSeconds(10)).until(() -> inbound.getRecords().stream().map(ConsumerRecord::value)
                .map(v -> new InboundEvent.Deserializer().deserialize("t", v)).filter(e -> psid.equals(e.customerId()))
                .count() >= 3);
        given().post("/sandbox/pages/page-1/customers/" + psid + "/read").then().statusCode(202);
        List<InboundEvent> events = await().atMost(Duration.ofSeconds(10)).until(() -> inbound.getRecords().stream()
                .map(ConsumerRecord::value).map(v -> new InboundEvent.Deserializer().deserialize("t", v))
                .filter(e -> psid.equals(e.customerId())).toList(), l -> l.size() >= 4);
        assertEquals(List.of(InboundKind.MESSAGE, InboundKind.ECHO, InboundKind.DELIVERY, InboundKind.READ),
                events.stream().map(InboundEvent::kind).toList());
        assertEquals(second.messageId(), events.get(1).metadata(), "the echo carries our id");
        assertEquals(outcomes.get(1).facebookMessageId(), events.get(1).mid());
        inbound.close();
        reports.close();
    }

    private OutboundMessage reply(String psid, String text) {
        var reply = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, "page-1",
                psid, text, null, Instant.now(), Instant.now());
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_OUTBOUND,
                Topics.conversationKey("page-1", psid), new JsonSerializer().serialize("t", reply)))
                .awaitCompletion(Duration.ofSeconds(10));
        return reply;
    }

    /**
     * The sandbox's batch request, which the bridge uses for a burst of new customers: each operation answered in
     * order with Facebook's code and a JSON-string body; a bad token or a batch that is not 1 to 50 operations refused.
     */
    @Test
    void theSandboxAnswersABatchOfProfilesInOrder() {
        String psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        given().contentType(ContentType.JSON).body("{\"text\":\"hello\",\"first_name\":\"Ines\",\"last_name\":\"Sol\"}")
                .post("/sandbox/pages/page-1/customers/" + psid + "/messages").then().statusCode(202);
        String batch = "[{\"method\":\"GET\",\"relative_url\":\"v25.0/" + psid + "?fields=first_name,last_name\"},"
                + "{\"method\":\"GET\",\"relative_url\":\"v25.0/never-wrote?fields=first_name\"},"
                + "{\"method\":\"DELETE\",\"relative_url\":\"v25.0/" + psid + "\"}]";
        given().contentType(ContentType.URLENC).formParam("access_token", SandboxResource.pageToken("page-1"))
                .formParam("include_headers", "false").formParam("batch", batch).post("/sandbox/graph/v25.0").then()
                .statusCode(200).body("code", equalTo(List.of(200, 400, 400)))
                .body("[0].body", equalTo("{\"id\":\"" + psid + "\",\"first_name\":\"Ines\",\"last_name\":\"Sol\"}"))
                .body("[1].body", org.hamcrest.Matchers.containsString("\"code\":100"));
        given().contentType(ContentType.URLENC).formParam("access_token", "forged").formParam("batch", batch)
                .post("/sandbox/graph/v25.0").then().statusCode(400).body("error.code", equalTo(190));
        for (String bad : List.of("[", "{}", "[]", "[" + "{},".repeat(50) + "{}]")) {
            given().contentType(ContentType.URLENC).formParam("access_token", SandboxResource.pageToken("page-1"))
                    .formParam("batch", bad).post("/sandbox/graph/v25.0").then().statusCode(400).body("error.code", equalTo(100));
        }
    }

    @Test
    void theSandboxRefusesToRunWithARealSecret() {
        assertThrows(IllegalStateException.class, () -> SandboxResource.guard(true, "a-real-app-secret", true));
        assertThrows(IllegalStateException.class, () -> SandboxResource.guard(false, SandboxResource.LOCAL_APP_SECRET, true));
        SandboxResource.guard(true, SandboxResource.LOCAL_APP_SECRET, true);
        SandboxResource.guard(false, "a-real-app-secret", true);
        SandboxResource.guard(false, SandboxResource.LOCAL_APP_SECRET, false);
    }
}
