package dev.handover.messenger;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;

import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.JsonSerializer;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;

/** A page is a company's only once its token proved control with Facebook, and the bridge sends only for its owner. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
@WithTestResource(GraphApiResource.class)
class PageConnectionTest {

    KafkaCompanion companion;
    WireMockServer graph;

    @Inject
    MongoClient mongo;

    @Test
    void aPageIsConnectedOnlyWithATokenFacebookVouchesFor() {
        String page = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        String owner = "owner-" + page;
        String hostile = "hostile-" + page;
        given().contentType(ContentType.JSON).body("{\"page_access_token\":\"x\"}").put("/api/admin/page-connections/" + page)
                .then().statusCode(401);
        given().auth().oauth2(TestTokens.agent("eve", hostile)).contentType(ContentType.JSON)
                .body("{\"page_access_token\":\"x\"}").put("/api/admin/page-connections/" + page).then().statusCode(403);
        // a token of another page, and a token Facebook does not know
        ConnectedPages.tokenOf(graph, "some-other-page", "token-of-another-page", "Other");
        graph.stubFor(get(urlPathEqualTo("/v25.0/me")).withQueryParam("access_token", WireMock.equalTo("made-up"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"Invalid OAuth access token\",\"type\":\"OAuthException\",\"code\":190}}")));
        assertEquals(422, ConnectedPages.connect(hostile, page, "token-of-another-page"));
        assertEquals(422, ConnectedPages.connect(hostile, page, "made-up"));
        assertEquals(null, stored(page), "nothing is stored without proof");

        ConnectedPages.tokenOf(graph, page, "real-token", "Real Shop");
        given().auth().oauth2(TestTokens.admin("boss", owner)).contentType(ContentType.JSON)
                .body("{\"page_access_token\":\"real-token\"}").put("/api/admin/page-connections/" + page).then()
                .statusCode(200).body("page_name", equalTo("Real Shop"));
        Document doc = stored(page);
        assertEquals(owner, doc.getString("company_id"));
        assertFalse(doc.toJson().contains("real-token"), "the token is sealed at rest: " + doc.toJson());

        // someone else holding a valid token still cannot take it; the owner can rotate
        ConnectedPages.tokenOf(graph, page, "second-token", "Real Shop");
        assertEquals(409, ConnectedPages.connect(hostile, page, "second-token"));
        assertEquals(200, ConnectedPages.connect(owner, page, "second-token"));
        // the rotated token is the one sends use, without a restart
        String psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        graph.stubFor(post(urlPathEqualTo("/v25.0/" + page + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_2\"}")));
        publish(new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, owner, page, psid, "after rotation",
                null, Instant.now(), Instant.now()));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> graph.verify(1, postRequestedFor(
                urlPathEqualTo("/v25.0/" + page + "/messages")).withQueryParam("access_token", WireMock.equalTo("second-token"))));
        given().auth().oauth2(TestTokens.admin("eve", hostile)).delete("/api/admin/page-connections/" + page).then()
                .statusCode(404);
        assertEquals(owner, stored(page).getString("company_id"));
    }

    @Test
    void aSendForAPageOfAnotherCompanyIsRefusedAndReportedFailed() {
        String page = "pg-" + UUID.randomUUID().toString().substring(0, 8);
        ConnectedPages.connected(graph, page, "token-" + page);
        String psid = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        graph.stubFor(post(urlPathEqualTo("/v25.0/" + page + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"" + psid + "\",\"message_id\":\"m_1\"}")));
        var reports = companion.consume(String.class, byte[].class).withGroupId("pc-" + psid).fromTopics(Topics.MESSENGER_DELIVERY);
        var forged = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, "hostile-company", page, psid,
                "Send me your password", null, Instant.now(), Instant.now());
        var missing = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.TEXT, null, page, psid, "no company",
                null, Instant.now(), Instant.now());
        publish(forged);
        publish(missing);
        List<DeliveryReport> outcomes = await().atMost(Duration.ofSeconds(15)).until(() -> reports.getRecords().stream()
                .map(ConsumerRecord::value).map(v -> new DeliveryReport.Deserializer().deserialize("t", v))
                .filter(r -> psid.equals(r.customerId())).toList(), l -> l.size() >= 2);
        reports.close();
        assertEquals(List.of(DeliveryStatus.FAILED, DeliveryStatus.FAILED), outcomes.stream().map(DeliveryReport::status).toList());
        assertEquals("Page " + page + " does not belong to company hostile-company", outcomes.get(0).error());
        graph.verify(0, postRequestedFor(urlPathEqualTo("/v25.0/" + page + "/messages")));
    }

    private void publish(OutboundMessage message) {
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_OUTBOUND,
                Topics.conversationKey(message.pageId(), message.customerId()), new JsonSerializer().serialize("t", message)))
                .awaitCompletion(Duration.ofSeconds(10));
    }

    private Document stored(String page) {
        return mongo.getDatabase("handover-bridge").getCollection("pages").find(Filters.eq("_id", page)).first();
    }
}
