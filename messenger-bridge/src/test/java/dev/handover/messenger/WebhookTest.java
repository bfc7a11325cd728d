package dev.handover.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import dev.handover.messenger.service.SignatureVerifier;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The webhook over real HTTP, with Facebook's payloads, into the real broker. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class WebhookTest {

    private static final SignatureVerifier FACEBOOK = new SignatureVerifier("test-app-secret");
    private static final String PAGE = "page-1";
    private static final int OUTAGE_SECONDS = 120;

    KafkaCompanion companion;
    WireMockServer graph;

    String psid;
    ConsumerTask<String, byte[]> inbound;

    @BeforeEach
    void customer() {
        ConnectedPages.connected(graph, PAGE, "token-page-1");
        psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        graph.stubFor(get(urlPathEqualTo("/v25.0/" + psid))
                .willReturn(okJson("{\"first_name\":\"Peter\",\"last_name\":\"Chang\",\"id\":\"" + psid + "\"}")));
        inbound = companion.consume(String.class, byte[].class).withGroupId("t-" + psid).fromTopics(Topics.MESSENGER_INBOUND);
    }

    @AfterEach
    void close() {
        inbound.close();
    }

    @Test
    void subscriptionIsVerifiedWithTheTokenOnly() {
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1158201444").get("/webhook").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("text/plain")).body(equalTo("1158201444"));
        given().queryParam("hub.mode", "subscribe").queryParam("hub.verify_token", "wrong")
                .queryParam("hub.challenge", "1").get("/webhook").then().statusCode(403);
        given().queryParam("hub.mode", "unsubscribe").queryParam("hub.verify_token", "test-verify-token")
                .queryParam("hub.challenge", "1").get("/webhook").then().statusCode(403);
        given().queryParam("hub.mode", "subscribe").queryParam("hub.challenge", "1").get("/webhook").then().statusCode(403);
    }

    @Test
    void unsignedOrBadlySignedBodiesAreRefusedAndPublishNothing() {
        byte[] body = body(message("m-" + psid, "hello", 1000)).getBytes(StandardCharsets.UTF_8);
        given().body(body).contentType("application/json").post("/webhook").then().statusCode(403)
                .body("error", equalTo("Missing X-Hub-Signature-256"));
        given().body(body).contentType("application/json").header("X-Hub-Signature-256", "sha256=" + "0".repeat(64))
                .post("/webhook").then().statusCode(403).body("error", equalTo("Invalid signature"));
        given().body(body).contentType("application/json")
                .header("X-Hub-Signature-256", new SignatureVerifier("another-secret").header(body))
                .post("/webhook").then().statusCode(403);
        post(body).statusCode(200);
        assertEquals(1, await().atMost(Duration.ofSeconds(10)).until(this::received, l -> !l.isEmpty()).size());
    }

    @Test
    void escapedUnicodeIsVerifiedOnTheRawBytesAndDecodedForTheHistory() {
        String raw = body(message("m-u-" + psid, "\\u00e4\\u00f6\\u00e5 \\ud83d\\ude00", 1000));
        post(raw.getBytes(StandardCharsets.US_ASCII)).statusCode(200);
        InboundEvent event = await().atMost(Duration.ofSeconds(10)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals("äöå 😀", event.text());
        assertEquals("Peter", event.firstName());
        assertEquals("Chang", event.lastName());
    }

    @Test
    void everyKindReachesKafkaInTimestampOrderOnceAndTheProfileIsFetchedOnce() {
        String items = String.join(",",
                "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":3000,"
                        + "\"postback\":{\"mid\":\"pb-" + psid + "\",\"title\":\"Talk to a human\",\"payload\":\"HUMAN_AGENT\"}}",
                message("m1-" + psid, "first", 1000),
                "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":2000,"
                        + "\"message\":{\"mid\":\"m2-" + psid + "\",\"attachments\":[{\"type\":\"image\",\"payload\":{\"url\":\"https://x/y.png\"}}]}}",
                "{\"sender\":{\"id\":\"" + PAGE + "\"},\"recipient\":{\"id\":\"" + psid + "\"},\"timestamp\":4000,"
                        + "\"message\":{\"is_echo\":true,\"app_id\":263902037430900,\"mid\":\"e-" + psid + "\",\"text\":\"from the inbox\"}}",
                "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":5000,"
                        + "\"delivery\":{\"mids\":[\"e-" + psid + "\"],\"watermark\":4500}}",
                "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":6000,"
                        + "\"read\":{\"watermark\":5500}}",
                "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":6500,"
                        + "\"reaction\":{\"reaction\":\"love\",\"mid\":\"e-" + psid + "\"}}");
        String body = "{\"object\":\"page\",\"entry\":[{\"id\":\"" + PAGE + "\",\"time\":7000,\"messaging\":[" + items + "]}]}";
        post(body.getBytes(StandardCharsets.UTF_8)).statusCode(200).body("status", equalTo("EVENT_RECEIVED"));
        // Facebook retries the same body: nothing new goes out
        post(body.getBytes(StandardCharsets.UTF_8)).statusCode(200);
        post(body(message("m3-" + psid, "after", 8000)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(10)).until(this::received, l -> l.size() >= 8);
        assertEquals(List.of(InboundKind.MESSAGE, InboundKind.MESSAGE, InboundKind.POSTBACK, InboundKind.ECHO,
                InboundKind.DELIVERY, InboundKind.READ, InboundKind.REACTION, InboundKind.MESSAGE),
                events.stream().map(InboundEvent::kind).toList());
        assertEquals("HUMAN_AGENT", events.get(2).postbackPayload());
        assertEquals("image", events.get(1).attachments().get(0).type());
        assertEquals(263902037430900L, events.get(3).appId());
        assertNull(events.get(3).firstName(), "echoes need no profile");
        assertEquals("love", events.get(6).reaction());
        assertEquals("Peter", events.get(7).firstName());
        graph.verify(1, getRequestedFor(urlPathEqualTo("/v25.0/" + psid)));
    }

    @Test
    void withTracingOffNoTraceIsSent() {
        post(body(message("m-off-" + psid, "untraced", 1000)).getBytes(StandardCharsets.UTF_8)).statusCode(200);
        var records = await().atMost(Duration.ofSeconds(10)).until(() -> inbound.getRecords().stream()
                .filter(r -> Topics.conversationKey(PAGE, psid).equals(r.key())).toList(), l -> !l.isEmpty());
        assertNull(TraceContext.of(records.get(0).headers()), "no traceparent header while tracing is off");
    }

    @Test
    void aFailedProfileLookupLetsTheMessageThroughWithoutNames() {
        graph.stubFor(get(urlPathEqualTo("/v25.0/" + psid)).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":{\"message\":\"Unsupported get request\",\"type\":\"GraphMethodException\",\"code\":100}}")));
        post(body(message("m-f-" + psid, "hi", 1000)).getBytes(StandardCharsets.UTF_8)).statusCode(200);
        InboundEvent event = await().atMost(Duration.ofSeconds(10)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals("hi", event.text());
        assertNull(event.firstName());
    }

    @Test
    void malformedBodiesGetA400AndOtherObjectsAreIgnored() {
        post("{\"object\":\"page\",\"entry\":[".getBytes(StandardCharsets.UTF_8)).statusCode(400)
                .body("error", equalTo("Body is not JSON"));
        post("[1,2]".getBytes(StandardCharsets.UTF_8)).statusCode(400);
        post("{\"object\":\"instagram\",\"entry\":[]}".getBytes(StandardCharsets.UTF_8)).statusCode(200);
    }

    /**
     * Steady load (10 webhooks a second) through a Kafka outage of two minutes, MongoDB down for the middle
     * minute of it: every webhook answered 200 within 2 s, and once both are back every event reaches Kafka once,
     * in order.
     */
    @Test
    void throughMinutesOfKafkaAndMongoOutageWebhooksAreAnsweredAtOnceAndPublishedOnceInOrderAfterwards() throws Exception {
        var infra = InfrastructureResource.infrastructure();
        int perSecond = 10;
        int count = OUTAGE_SECONDS * perSecond;
        List<Long> answers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        var load = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
        infra.stopKafka();
        try {
            load.scheduleAtFixedRate(() -> {
                int i = next.getAndIncrement();
                if (i >= count) {
                    return;
                }
                if (i == count / 4) {
                    infra.stopMongo();
                } else if (i == 3 * count / 4) {
                    infra.startMongo();
                }
                byte[] body = body(message("m-k" + i + "-" + psid, "during the outage " + i, 1000 + i))
                        .getBytes(StandardCharsets.UTF_8);
                long start = System.nanoTime();
                int status = post(body).extract().statusCode();
                answers.add(status == 200 ? (System.nanoTime() - start) / 1_000_000 : -status);
                if (i % 100 == 0) {
                    post(body); // Facebook's retry of a body: still one event
                }
            }, 0, 1000 / perSecond, java.util.concurrent.TimeUnit.MILLISECONDS);
            await().atMost(Duration.ofSeconds(OUTAGE_SECONDS * 3L)).until(() -> answers.size() >= count);
        } finally {
            load.shutdownNow();
            infra.startMongo();
            infra.startKafka();
        }
        List<Long> sorted = answers.stream().sorted().toList();
        System.out.printf("webhooks during a %d s Kafka outage (MongoDB down half of it): %d, p50 %d ms, p99 %d ms, "
                + "slowest %d ms%n", OUTAGE_SECONDS, count, sorted.get(count / 2), sorted.get(count * 99 / 100),
                sorted.get(count - 1));
        assertTrue(sorted.get(0) >= 0, "a webhook was refused with HTTP " + -sorted.get(0));
        // the goal README states (p99 within 2 s), and no answer anywhere near the minutes the outage lasts: one
        // answer in about ten runs on this shared machine took 2.9 s (cause not found; the next run's slowest: 315 ms)
        assertTrue(sorted.get(count * 99 / 100) < 2_000, "p99 of the answers " + sorted.get(count * 99 / 100) + " ms");
        assertTrue(sorted.get(count - 1) < 5_000, "a webhook waited " + sorted.get(count - 1) + " ms for its answer");
        long back = System.nanoTime();
        List<InboundEvent> events = await().atMost(Duration.ofSeconds(120)).until(this::received, l -> l.size() >= count);
        System.out.printf("all %d events in Kafka %.1f s after it came back%n", count, (System.nanoTime() - back) / 1e9);
        List<Integer> order = events.stream().map(e -> Integer.parseInt(e.text().substring("during the outage ".length())))
                .toList();
        assertTrue(java.util.stream.IntStream.range(0, count).boxed().toList().equals(order),
                "every event once, in order; out of order or repeated: " + java.util.stream.IntStream.range(0, order.size())
                        .filter(i -> order.get(i) != i).limit(10).mapToObj(i -> i + "->" + order.get(i)).toList());
    }

    /**
     * A burst of new customers of one page: their profiles are asked for in one batch request (Facebook runs its
     * operations at the same time: each answer takes 1.2 s here, so six asked in a row would have taken 7 s), every
     * message still carries its customer's names, each profile asked for once.
     */
    @Test
    void theProfilesOfABurstOfNewCustomersAreAskedForInOneBatch() {
        String burst = "burst-" + psid;
        List<String> customers = IntStream.range(0, 6).mapToObj(i -> burst + "-" + i).toList();
        for (String customer : customers) {
            graph.stubFor(get(urlPathEqualTo("/v25.0/" + customer)).willReturn(okJson("{\"first_name\":\"First " + customer
                    + "\",\"last_name\":\"Last\",\"id\":\"" + customer + "\"}").withFixedDelay(1200)));
        }
        int batchesBefore = batchRequests();
        post(body(items(customers)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(5)).until(() -> published(burst),
                l -> l.size() == customers.size());
        for (InboundEvent event : events) {
            assertEquals("First " + event.customerId(), event.firstName(), "names of " + event.customerId());
        }
        assertEquals(1, batchRequests() - batchesBefore, "one batch call for the page's new customers");
        assertEquals(customers.size(), profileRequests(burst), "a profile asked for twice, or one not asked for");
    }

    /** One operation of a batch failing leaves that customer nameless and the others named. */
    @Test
    void aFailedOperationOfABatchLeavesOnlyItsCustomerNameless() {
        String burst = "partial-" + psid;
        List<String> customers = IntStream.range(0, 3).mapToObj(i -> burst + "-" + i).toList();
        graph.stubFor(get(urlPathEqualTo("/v25.0/" + customers.get(0))).willReturn(okJson("{\"first_name\":\"Ana\"}")));
        graph.stubFor(get(urlPathEqualTo("/v25.0/" + customers.get(1))).willReturn(aResponse().withStatus(400)
                .withBody("{\"error\":{\"message\":\"Unsupported get request\",\"type\":\"GraphMethodException\",\"code\":100}}")));
        graph.stubFor(get(urlPathEqualTo("/v25.0/" + customers.get(2))).willReturn(okJson("{\"first_name\":\"Bo\"}")));
        post(body(items(customers)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(10)).until(() -> published(burst),
                l -> l.size() == customers.size());
        assertEquals(Map.of(customers.get(0), "Ana", customers.get(2), "Bo"), events.stream()
                .filter(e -> e.firstName() != null).collect(Collectors.toMap(InboundEvent::customerId, InboundEvent::firstName)));
    }

    /** The batch call's connection reset: every customer of it nameless, every message published all the same. */
    @Test
    void aBatchWhoseConnectionIsResetLetsEveryMessageThroughWithoutNames() {
        String burst = "reset-" + psid;
        List<String> customers = IntStream.range(0, 3).mapToObj(i -> burst + "-" + i).toList();
        graph.stubFor(WireMock.post(urlPathEqualTo("/v25.0")).withFormParam("batch", containing(burst))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        post(body(items(customers)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(10)).until(() -> published(burst),
                l -> l.size() == customers.size());
        assertTrue(events.stream().allMatch(e -> e.firstName() == null && "hi".equals(e.text())), events.toString());
        assertEquals(0, profileRequests(burst), "no operation of the reset batch was answered");
    }

    /** A batch call answered after the profile timeout (1.5 s): every message published without names meanwhile. */
    @Test
    void aBatchThatIsNotAnsweredInTimeLetsEveryMessageThroughWithoutNames() {
        String burst = "slow-" + psid;
        List<String> customers = IntStream.range(0, 2).mapToObj(i -> burst + "-" + i).toList();
        graph.stubFor(WireMock.post(urlPathEqualTo("/v25.0")).withFormParam("batch", containing(burst))
                .willReturn(okJson("[]").withFixedDelay(5000)));
        post(body(items(customers)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(4)).until(() -> published(burst),
                l -> l.size() == customers.size());
        assertTrue(events.stream().allMatch(e -> e.firstName() == null && "hi".equals(e.text())), events.toString());
    }

    /** An operation Facebook left unanswered ({@code null}: the batch ran out of time) is that customer's failure. */
    @Test
    void anOperationLeftUnansweredLeavesOnlyItsCustomerNameless() {
        String burst = "unanswered-" + psid;
        List<String> customers = IntStream.range(0, 2).mapToObj(i -> burst + "-" + i).toList();
        graph.stubFor(WireMock.post(urlPathEqualTo("/v25.0")).withFormParam("batch", containing(burst))
                .willReturn(okJson("[{\"code\":200,\"body\":\"{\\\"first_name\\\":\\\"Ana\\\"}\"},null]")));
        post(body(items(customers)).getBytes(StandardCharsets.UTF_8)).statusCode(200);

        List<InboundEvent> events = await().atMost(Duration.ofSeconds(10)).until(() -> published(burst),
                l -> l.size() == customers.size());
        assertEquals(java.util.Arrays.asList("Ana", null), events.stream().map(InboundEvent::firstName)
                .sorted(java.util.Comparator.nullsLast(java.util.Comparator.naturalOrder())).toList());
    }

    private String items(List<String> customers) {
        return customers.stream().map(c -> "{\"sender\":{\"id\":\"" + c + "\"},\"recipient\":{\"id\":\"" + PAGE
                + "\"},\"timestamp\":1000,\"message\":{\"mid\":\"m-" + c + "\",\"text\":\"hi\"}}")
                .collect(Collectors.joining(","));
    }

    private List<InboundEvent> published(String prefix) {
        return inbound.getRecords().stream().filter(r -> r.key().contains(prefix)).map(ConsumerRecord::value)
                .map(v -> new InboundEvent.Deserializer().deserialize("t", v)).toList();
    }

    private int batchRequests() {
        return graph.findAll(postRequestedFor(urlPathEqualTo("/v25.0"))).size();
    }

    private int profileRequests(String prefix) {
        return graph.findAll(getRequestedFor(urlPathMatching("/v25.0/" + prefix + "-.*"))).size();
    }

    private ValidatableResponse post(byte[] body) {
        return given().body(body).contentType("application/json").header("X-Hub-Signature-256", FACEBOOK.header(body))
                .post("/webhook").then();
    }

    private List<InboundEvent> received() {
        var decoder = new InboundEvent.Deserializer();
        return inbound.getRecords().stream().filter(r -> Topics.conversationKey(PAGE, psid).equals(r.key()))
                .map(ConsumerRecord::value).map(v -> decoder.deserialize("t", v)).toList();
    }

    private String message(String mid, String text, long timestamp) {
        return "{\"sender\":{\"id\":\"" + psid + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":" + timestamp
                + ",\"message\":{\"mid\":\"" + mid + "\",\"text\":\"" + text + "\"}}";
    }

    private static String body(String item) {
        return "{\"object\":\"page\",\"entry\":[{\"id\":\"" + PAGE + "\",\"time\":1,\"messaging\":[" + item + "]}]}";
    }
}
