package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.InboundEvent;
import dev.handover.events.JsonSerializer;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.GraphApiMock;
import dev.handover.testing.ServiceProcess;
import dev.handover.testing.SharedInfrastructure;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * A bridge killed with SIGKILL loses nothing it acknowledged: webhooks it answered while Kafka was down reach
 * Kafka once the next bridge starts on the same spool, each once; a send cut off mid-call ends failed, once,
 * and is never repeated to the customer.
 */
class BridgeCrashTest {

    private static final String SECRET = "crash-app-secret";
    private static final int WEBHOOKS = 50;

    private static WireMockServer facebook;
    private static KafkaCompanion kafka;
    private static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        facebook = GraphApiMock.start();
        kafka = new KafkaCompanion(TestInfrastructure.infrastructure().kafkaBootstrapServers());
        env = new HashMap<>(Map.of("MESSENGER_APP_SECRET", SECRET, "MESSENGER_VERIFY_TOKEN", "crash-verify",
                "MESSENGER_GRAPH_BASE_URL", facebook.baseUrl(), "MESSENGER_SEND_ECHO_WAIT", "1s",
                // a redelivered send waits for its first owner until that one's deadline: keep it short here
                "MESSENGER_SEND_DEADLINE", "12s",
                "MESSENGER_SPOOL_DIR", Files.createTempDirectory("bridge-spool").toString(),
                // its own consumer group: the bridges this test kills hold no partitions of the other tests' bridges
                "MP_MESSAGING_INCOMING_MESSENGER_OUTBOUND_GROUP_ID", "messenger-bridge-crash"));
    }

    @AfterAll
    static void stop() {
        kafka.close();
        facebook.stop();
    }

    @Test
    void webhooksAnsweredWhileKafkaWasDownSurviveASigkill() {
        String page = "crash-page-" + UUID.randomUUID().toString().substring(0, 8);
        var inbound = kafka.consume(String.class, byte[].class).withGroupId("crash-" + page)
                .withOffsetReset(OffsetResetStrategy.EARLIEST).fromTopics(Topics.MESSENGER_INBOUND);
        SharedInfrastructure infra = TestInfrastructure.infrastructure();
        ServiceProcess bridge = TestInfrastructure.start("messenger-bridge", env);
        long slowest = 0;
        infra.stopKafka();
        try {
            for (int i = 0; i < WEBHOOKS; i++) {
                long started = System.nanoTime();
                SignedWebhooks.customerWrites(bridge.url(), SECRET, page, "psid-" + i, "mid-" + page + "-" + i, "text " + i)
                        .then().statusCode(200);
                slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
            }
            bridge.kill();
        } finally {
            infra.startKafka();
        }
        ServiceProcess next = TestInfrastructure.start("messenger-bridge", env);
        try {
            List<String> mids = await().atMost(Duration.ofSeconds(60)).until(() -> inbound.getRecords().stream()
                    .filter(r -> r.key().startsWith(page + ":")).map(ConsumerRecord::value)
                    .map(v -> new InboundEvent.Deserializer().deserialize("t", v).mid()).toList(),
                    l -> l.size() >= WEBHOOKS);
            System.out.printf("webhooks acknowledged while Kafka was down: %d (slowest answer %d ms); in Kafka after a "
                    + "SIGKILL and restart: %d, lost %d, duplicated %d%n", WEBHOOKS, slowest, mids.size(),
                    WEBHOOKS - mids.stream().distinct().count(), mids.size() - mids.stream().distinct().count());
            assertEquals(IntStream.range(0, WEBHOOKS).mapToObj(i -> "mid-" + page + "-" + i).sorted().toList(),
                    mids.stream().sorted().toList(), "every acknowledged webhook once");
        } finally {
            inbound.close();
            next.close();
        }
    }

    @Test
    void aSendCutOffMidCallEndsFailedOnceAndIsNotRepeated() {
        String page = "crash-send-" + UUID.randomUUID().toString().substring(0, 8);
        String company = "co-" + page;
        String psid = "psid-" + page;
        facebook.stubFor(get(urlPathEqualTo("/v25.0/me")).withQueryParam("access_token", equalTo("token-" + page))
                .willReturn(okJson("{\"id\":\"" + page + "\",\"name\":\"Crash Shop\"}")));
        facebook.stubFor(post(urlPathEqualTo("/v25.0/" + page + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_slow\"}").withFixedDelay(8_000)));
        var reports = kafka.consume(String.class, byte[].class).withGroupId("crash-" + page)
                .withOffsetReset(OffsetResetStrategy.EARLIEST).fromTopics(Topics.MESSENGER_DELIVERY);
        ServiceProcess bridge = TestInfrastructure.start("messenger-bridge", env);
        ServiceProcess next = null;
        try {
            given().baseUri(bridge.url()).auth().oauth2(TestTokens.admin("boss", company)).contentType(ContentType.JSON)
                    .body("{\"page_access_token\":\"token-" + page + "\"}").put("/api/admin/page-connections/" + page)
                    .then().statusCode(200);
            var text = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, company, page, psid,
                    "cut off", null, Instant.now(), Instant.now());
            kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_OUTBOUND,
                    Topics.conversationKey(page, psid), new JsonSerializer().serialize("t", text)))
                    .awaitCompletion(Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> facebook.verify(1,
                    postRequestedFor(urlPathEqualTo("/v25.0/" + page + "/messages"))));
            bridge.kill();
            next = TestInfrastructure.start("messenger-bridge", env);
            List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(60)).until(() -> reports.getRecords()
                    .stream().map(ConsumerRecord::value).map(v -> new DeliveryReport.Deserializer().deserialize("t", v))
                    .filter(r -> text.messageId().equals(r.messageId())).toList(), l -> !l.isEmpty());
            assertEquals(1, outcomes.size());
            assertEquals(DeliveryStatus.FAILED, outcomes.get(0).status());
            facebook.verify(1, postRequestedFor(urlPathEqualTo("/v25.0/" + page + "/messages")));
        } finally {
            reports.close();
            bridge.close(); // killed above, unless the test failed first: a bridge left running would send others' messages
            if (next != null) {
                next.close();
            }
        }
    }
}
