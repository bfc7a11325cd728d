package dev.handover.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.JsonSerializer;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.SenderAction;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** {@code messenger.outbound} through the Send API (WireMock) to {@code messenger.delivery}. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class SendTest {

    private static final String PAGE = "page-1";
    private static final String SEND = "/v25.0/" + PAGE + "/messages";

    KafkaCompanion companion;
    WireMockServer graph;

    String psid;
    ConsumerTask<String, byte[]> reports;

    @BeforeEach
    void customer() {
        ConnectedPages.connected(graph, PAGE, "token-page-1");
        psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        reports = companion.consume(String.class, byte[].class).withGroupId("t-" + psid).fromTopics(Topics.MESSENGER_DELIVERY);
    }

    @AfterEach
    void close() {
        reports.close();
    }

    @Test
    void aTextIsSentWithThePagesTokenAndReportedOnce() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_fb_" + psid + "\"}")));
        OutboundMessage text = text("Hello, how can I help you today?", Instant.now().minusSeconds(60));
        publish(text);
        publish(text);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        for (DeliveryReport report : outcomes) {
            assertEquals(DeliveryStatus.SENT, report.status());
            assertEquals("m_fb_" + psid, report.facebookMessageId());
            assertEquals(text.messageId(), report.messageId());
        }
        graph.verify(1, postRequestedFor(urlPathEqualTo(SEND)).withQueryParam("access_token", equalTo("token-page-1"))
                .withRequestBody(equalToJson("{\"recipient\":{\"id\":\"" + psid + "\"},\"messaging_type\":\"RESPONSE\","
                        + "\"message\":{\"text\":\"Hello, how can I help you today?\",\"metadata\":\"" + text.messageId() + "\"}}")));
    }

    @Test
    void afterTwentyFourHoursTheHumanAgentTagIsUsedAndAfterSevenDaysNothingIsSent() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_tag\"}")));
        OutboundMessage late = text("Sorry for the wait", Instant.now().minus(Duration.ofHours(30)));
        OutboundMessage tooLate = text("Anyone?", Instant.now().minus(Duration.ofDays(8)));
        publish(late);
        publish(tooLate);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        assertEquals(DeliveryStatus.SENT, outcomes.get(0).status());
        DeliveryReport refused = outcomes.get(1);
        assertEquals(DeliveryStatus.FAILED, refused.status());
        assertFalse(refused.retryable());
        assertEquals(0, refused.attempts());
        assertTrue(refused.error().contains("7 days"), refused.error());
        graph.verify(1, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
        graph.verify(1, postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.messaging_type", equalTo("MESSAGE_TAG")))
                .withRequestBody(matchingJsonPath("$.tag", equalTo("HUMAN_AGENT")))
                .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
    }

    @Test
    void rateLimitsAndServerErrorsAreRetriedUntilTheSendSucceeds() {
        String scenario = "retry-" + psid;
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("limited")
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"Calls to this API have exceeded "
                        + "the rate limit.\",\"type\":\"OAuthException\",\"code\":613,\"fbtrace_id\":\"A1\"}}")));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs("limited").willSetStateTo("broken")
                .willReturn(aResponse().withStatus(503).withBody("Service Unavailable")));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs("broken")
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_third\"}")));
        publish(text("third time lucky", Instant.now()));
        DeliveryReport report = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals(DeliveryStatus.SENT, report.status());
        assertEquals(3, report.attempts());
        assertEquals("m_third", report.facebookMessageId());
    }

    @Test
    void permanentErrorsFailAtOnceAndRetryableOnesGiveUpAfterTheLastAttempt() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text", equalTo("gone " + psid)))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"This person isn't available "
                        + "right now.\",\"type\":\"OAuthException\",\"code\":551,\"error_subcode\":1545041}}")));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text", equalTo("busy " + psid)))
                .willReturn(aResponse().withStatus(500).withBody("{\"error\":{\"message\":\"An unknown error occurred\","
                        + "\"type\":\"OAuthException\",\"code\":2}}")));
        publish(text("gone " + psid, Instant.now()));
        OutboundMessage busyText = text("busy " + psid, Instant.now());
        publish(busyText);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        DeliveryReport gone = outcomes.get(0);
        assertEquals(DeliveryStatus.FAILED, gone.status());
        assertEquals(551, gone.errorCode());
        assertEquals(1545041, gone.errorSubcode());
        assertEquals("This person isn't available right now.", gone.error());
        assertFalse(gone.retryable());
        assertEquals(1, gone.attempts());
        DeliveryReport busy = outcomes.get(1);
        assertEquals(2, busy.errorCode());
        assertTrue(busy.retryable());
        assertEquals(4, busy.attempts());
        printFinalState("a text failing with code 2 on every attempt", busyText, busy);
    }

    @Test
    void typingIndicatorsAreSenderActionsAndUnknownPagesFailClearly() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\"}")));
        publish(new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.SENDER_ACTION, ConnectedPages.COMPANY, PAGE, psid, null,
                SenderAction.TYPING_ON, Instant.now(), Instant.now()));
        publish(new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, "page-unknown", psid, "hi", null,
                Instant.now(), Instant.now()));
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        assertEquals(DeliveryStatus.SENT, outcomes.stream().filter(r -> PAGE.equals(r.pageId())).findFirst().orElseThrow().status());
        DeliveryReport unknown = outcomes.stream().filter(r -> "page-unknown".equals(r.pageId())).findFirst().orElseThrow();
        assertEquals("Page page-unknown is not connected", unknown.error());
        graph.verify(1, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(equalToJson(
                "{\"recipient\":{\"id\":\"" + psid + "\"},\"sender_action\":\"typing_on\"}")));
    }

    @Test
    void aConnectionResetIsRetriedOnceNoEchoCameAndTheCustomerGetsTheTextOnce() {
        String scenario = "reset-" + psid;
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("up")
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_after_reset\"}")));
        OutboundMessage reset = text("are you there?", Instant.now());
        publish(reset);
        DeliveryReport report = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals(DeliveryStatus.SENT, report.status());
        assertEquals(2, report.attempts());
        assertEquals("m_after_reset", report.facebookMessageId());
        printFinalState("a text whose first call was reset", reset, report);
    }

    /** An answer slower than the client's timeout and no echo: sent again after the echo wait, once. */
    @Test
    void aTimedOutCallWithoutAnEchoIsSentAgainAfterTheEchoWait() {
        String scenario = "timeout-" + psid;
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("up")
                .willReturn(aResponse().withStatus(500).withFixedDelay(3_000)));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs("up")
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_after_timeout\"}")));
        OutboundMessage slow = text("hello?", Instant.now());
        publish(slow);
        DeliveryReport report = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals(DeliveryStatus.SENT, report.status());
        assertEquals(2, report.attempts());
        assertEquals("m_after_timeout", report.facebookMessageId());
        // the second call came only after the timeout (1 s) and the echo wait (1 s) in this profile
        assertTrue(Duration.between(slow.requestedAt(), report.at()).toMillis() >= 2_000);
        graph.verify(2, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
        printFinalState("a text whose first call timed out with no echo", slow, report);
    }

    private static void printFinalState(String what, OutboundMessage message, DeliveryReport report) {
        System.out.printf("%s: %s after %d attempt(s), %d ms after the agent's request%n", what,
                report.status().name().toLowerCase(), report.attempts(),
                Duration.between(message.requestedAt(), report.at()).toMillis());
    }

    @Test
    void anAnswerThatNeverComesIsSettledByThePagesEchoWithoutASecondCall() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_late\"}").withFixedDelay(3_000)));
        OutboundMessage slow = text("slow network", Instant.now());
        publish(slow);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> graph.verify(1, postRequestedFor(urlPathEqualTo(SEND))
                .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))));
        // Facebook did deliver it: the page's echo (carrying our id as metadata) arrives by webhook
        Webhooks.post("{\"sender\":{\"id\":\"" + PAGE + "\"},\"recipient\":{\"id\":\"" + psid + "\"},\"timestamp\":"
                + System.currentTimeMillis() + ",\"message\":{\"is_echo\":true,\"app_id\":1,\"mid\":\"m_echo_" + psid
                + "\",\"metadata\":\"" + slow.messageId() + "\",\"text\":\"slow network\"}}", PAGE);
        DeliveryReport report = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals(DeliveryStatus.SENT, report.status());
        assertEquals("m_echo_" + psid, report.facebookMessageId());
        graph.verify(1, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
    }

    @Test
    void anExpiredTokenFailsAtOnceAndAtTheWindowEdgeTheTextGoesAgainWithTheHumanAgentTag() {
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text", equalTo("token " + psid)))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"Error validating access "
                        + "token: Session has expired\",\"type\":\"OAuthException\",\"code\":190,\"error_subcode\":463}}")));
        // Facebook's clock says the 24 hours are over while ours says a minute is left: refused as RESPONSE...
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text", equalTo("edge " + psid)))
                .withRequestBody(matchingJsonPath("$.messaging_type", equalTo("RESPONSE")))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"This message is sent outside "
                        + "of allowed window.\",\"type\":\"OAuthException\",\"code\":10,\"error_subcode\":2018278}}")));
        // ...and taken with the tag
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text", equalTo("edge " + psid)))
                .withRequestBody(matchingJsonPath("$.tag", equalTo("HUMAN_AGENT")))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_edge\"}")));
        publish(text("token " + psid, Instant.now()));
        publish(text("edge " + psid, Instant.now().minus(Duration.ofHours(23).plusMinutes(59))));
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        assertEquals(190, outcomes.get(0).errorCode());
        assertEquals(1, outcomes.get(0).attempts());
        assertTrue(outcomes.get(0).error().startsWith("Facebook rejected the page's access token (expired or revoked): "
                + "an admin must give page " + PAGE + " a new token."), outcomes.get(0).error());
        // the page needs a new token (the alert's gauge) until it is connected again
        double rejected = pagesWithRejectedToken();
        assertTrue(rejected >= 1, "pages with a rejected token: " + rejected);
        ConnectedPages.connected(graph, PAGE, "token-page-1");
        assertEquals(rejected - 1, pagesWithRejectedToken());
        assertEquals(DeliveryStatus.SENT, outcomes.get(1).status());
        assertEquals("m_edge", outcomes.get(1).facebookMessageId());
        assertEquals(2, outcomes.get(1).attempts());
        graph.verify(2, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.message.text",
                equalTo("edge " + psid))));
    }

    private static double pagesWithRejectedToken() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("handover_pages_token_rejected ")).mapToDouble(
                line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    @Test
    void aTextPastItsDeadlineAndAStaleTypingIndicatorAreNeverSent() {
        var old = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, PAGE, psid,
                "too late", null, Instant.now(), Instant.now().minus(Duration.ofMinutes(3)));
        var stale = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.SENDER_ACTION, ConnectedPages.COMPANY,
                PAGE, psid, null, SenderAction.TYPING_ON, Instant.now(), Instant.now().minusSeconds(30));
        publish(old);
        publish(stale);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 2);
        assertEquals(DeliveryStatus.FAILED, outcomes.get(0).status());
        assertTrue(outcomes.get(0).error().startsWith("Not sent within 90 s"), outcomes.get(0).error());
        assertEquals("Stale sender action dropped", outcomes.get(1).error());
        graph.verify(0, postRequestedFor(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
    }

    @Test
    void aSlowPageHoldsBackNoOtherPageAndEachConversationKeepsItsOrder() {
        String slowPage = "slow-" + psid;
        String fastPage = "fast-" + psid;
        ConnectedPages.connected(graph, slowPage, "token-" + slowPage);
        ConnectedPages.connected(graph, fastPage, "token-" + fastPage);
        graph.stubFor(post(urlPathEqualTo("/v25.0/" + slowPage + "/messages"))
                .willReturn(okJson("{\"message_id\":\"m_slow\"}").withFixedDelay(600)));
        graph.stubFor(post(urlPathEqualTo("/v25.0/" + fastPage + "/messages")).willReturn(okJson("{\"message_id\":\"m_fast\"}")));
        // everything on one partition, slow page first: one thread per partition would send the fast page's text last
        List<OutboundMessage> slow = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            slow.add(new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, slowPage,
                    psid + "-" + (i % 2), "slow " + i, null, Instant.now(), Instant.now()));
        }
        OutboundMessage fast = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY,
                fastPage, psid, "fast", null, Instant.now(), Instant.now());
        slow.forEach(message -> publish(message, 0));
        publish(fast, 0);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(20)).until(
                () -> reports.getRecords().stream().map(ConsumerRecord::value)
                        .map(v -> new DeliveryReport.Deserializer().deserialize("t", v))
                        .filter(r -> r.pageId().equals(slowPage) || r.pageId().equals(fastPage)).toList(),
                l -> l.size() >= 9);
        assertTrue(outcomes.stream().allMatch(r -> r.status() == DeliveryStatus.SENT), outcomes.toString());
        int fastAt = outcomes.stream().map(DeliveryReport::pageId).toList().indexOf(fastPage);
        assertTrue(fastAt < 4, "the fast page's text was settled after " + fastAt + " of the slow page's 8");
        for (int customer = 0; customer < 2; customer++) {
            String recipient = psid + "-" + customer;
            List<String> sentInOrder = graph.findAll(postRequestedFor(urlPathEqualTo("/v25.0/" + slowPage + "/messages"))
                    .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(recipient)))).stream()
                    .map(request -> request.getBodyAsString().replaceAll(".*\"text\":\"([^\"]*)\".*", "$1")).toList();
            List<String> written = slow.stream().filter(m -> m.customerId().equals(recipient)).map(OutboundMessage::text).toList();
            assertEquals(written, sentInOrder, "one conversation's texts in the order the agent wrote them");
        }
    }

    @Test
    void threadControlIsTakenAndPassedAndATextRefusedBecauseTheBotOwnsTheConversationTakesItOnceAndGoesOut() {
        String take = "/v25.0/me/take_thread_control";
        String pass = "/v25.0/me/pass_thread_control";
        graph.stubFor(post(urlPathEqualTo(take)).willReturn(okJson("{\"success\":true}")));
        graph.stubFor(post(urlPathEqualTo(pass)).willReturn(okJson("{\"success\":true}")));
        String scenario = "owned-" + psid;
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("taken")
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"(#10) This person's "
                        + "conversation is controlled by another app\",\"type\":\"OAuthException\",\"code\":10,"
                        + "\"error_subcode\":2018300,\"fbtrace_id\":\"B1\"}}")));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .inScenario(scenario).whenScenarioStateIs("taken")
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_after_take\"}")));

        OutboundMessage taking = control(OutboundKind.TAKE_THREAD_CONTROL, null, "handover:customer_asked");
        OutboundMessage text = text("Hi, Alice here", Instant.now().minusSeconds(30));
        OutboundMessage passing = control(OutboundKind.PASS_THREAD_CONTROL, "1000000000000002", "handover:back_to_bot");
        OutboundMessage noTarget = control(OutboundKind.PASS_THREAD_CONTROL, null, "handover:back_to_bot");
        publish(text);
        publish(taking);
        publish(passing);
        publish(noTarget);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> l.size() >= 4);
        assertEquals(List.of(text.messageId(), taking.messageId(), passing.messageId(), noTarget.messageId()),
                outcomes.stream().map(DeliveryReport::messageId).toList());
        assertEquals("m_after_take", outcomes.get(0).facebookMessageId());
        assertEquals(2, outcomes.get(0).attempts());
        assertEquals(DeliveryStatus.SENT, outcomes.get(1).status());
        assertEquals(DeliveryStatus.SENT, outcomes.get(2).status());
        assertEquals(DeliveryStatus.FAILED, outcomes.get(3).status());
        assertEquals("Invalid outbound record: passing thread control needs target_app_id", outcomes.get(3).error());

        // in order: the refused send, Handover taking control for it, the send again, the take record, the pass
        var calls = graph.findAll(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching(".*"))
                .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
        assertEquals(List.of(SEND, take, SEND, take, pass), calls.stream().map(r -> r.getUrl().replaceAll("\\?.*", "")).toList());
        graph.verify(1, postRequestedFor(urlPathEqualTo(take)).withQueryParam("access_token", equalTo("token-page-1"))
                .withRequestBody(equalToJson("{\"recipient\":{\"id\":\"" + psid + "\"},\"metadata\":\"handover:customer_asked\"}")));
        graph.verify(1, postRequestedFor(urlPathEqualTo(pass)).withRequestBody(equalToJson("{\"recipient\":{\"id\":\""
                + psid + "\"},\"target_app_id\":\"1000000000000002\",\"metadata\":\"handover:back_to_bot\"}")));
    }

    /** The bot owns the conversation and Facebook refuses Handover the take: the text fails visibly, after one take. */
    @Test
    void aTextTheBotsConversationRefusesFailsVisiblyWhenTheTakeIsRefusedToo() {
        String take = "/v25.0/me/take_thread_control";
        graph.stubFor(post(urlPathEqualTo(take)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"(#10) Handover is not the "
                        + "page's secondary receiver\",\"type\":\"OAuthException\",\"code\":10}}")));
        graph.stubFor(post(urlPathEqualTo(SEND)).withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid)))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":{\"message\":\"(#10) This person's "
                        + "conversation is controlled by another app\",\"type\":\"OAuthException\",\"code\":10,"
                        + "\"error_subcode\":2018300}}")));
        publish(text("Hi, Alice here", Instant.now().minusSeconds(30)));
        DeliveryReport report = await().atMost(Duration.ofSeconds(15)).until(this::received, l -> !l.isEmpty()).get(0);
        assertEquals(DeliveryStatus.FAILED, report.status());
        assertEquals(10, report.errorCode());
        assertEquals(2018300, report.errorSubcode());
        assertFalse(report.retryable());
        assertEquals(1, report.attempts());
        var calls = graph.findAll(postRequestedFor(com.github.tomakehurst.wiremock.client.WireMock.urlMatching(".*"))
                .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(psid))));
        assertEquals(List.of(SEND, take), calls.stream().map(r -> r.getUrl().replaceAll("\\?.*", "")).toList());
    }

    private OutboundMessage control(OutboundKind kind, String targetAppId, String note) {
        return new OutboundMessage(UUID.randomUUID().toString(), kind, ConnectedPages.COMPANY, PAGE, psid, null, null,
                Instant.now().minusSeconds(30), Instant.now(), targetAppId, note);
    }

    private OutboundMessage text(String text, Instant lastCustomerMessage) {
        return new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, ConnectedPages.COMPANY, PAGE, psid, text, null,
                lastCustomerMessage, Instant.now());
    }

    private void publish(OutboundMessage message) {
        publish(message, null);
    }

    private void publish(OutboundMessage message, Integer partition) {
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_OUTBOUND, partition,
                Topics.conversationKey(message.pageId(), message.customerId()),
                new JsonSerializer().serialize("t", message))).awaitCompletion(Duration.ofSeconds(10));
    }

    private List<DeliveryReport> received() {
        var decoder = new DeliveryReport.Deserializer();
        return reports.getRecords().stream().filter(r -> r.key() != null && r.key().endsWith(":" + psid))
                .map(ConsumerRecord::value).map(v -> decoder.deserialize("t", v)).toList();
    }
}
