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

import dev.handover.events.InboundEvent;
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
        inbound.close();
        assertEquals("I want a human", event.text());
        assertEquals("Sam", event.firstName());

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
    void theSandboxRefusesToRunWithARealSecret() {
        assertThrows(IllegalStateException.class, () -> SandboxResource.guard(true, "a-real-app-secret", true));
        assertThrows(IllegalStateException.class, () -> SandboxResource.guard(false, SandboxResource.LOCAL_APP_SECRET, true));
        SandboxResource.guard(true, SandboxResource.LOCAL_APP_SECRET, true);
        SandboxResource.guard(false, "a-real-app-secret", true);
        SandboxResource.guard(false, SandboxResource.LOCAL_APP_SECRET, false);
    }
}
