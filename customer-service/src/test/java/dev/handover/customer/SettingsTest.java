package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.mongodb.client.MongoClient;
import com.mongodb.client.model.Filters;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** A company's settings: defaults, changes by its admins only, every bad value refused by name, changes audited. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class SettingsTest {

    private static final String SETTINGS = "/api/admin/settings";

    KafkaCompanion companion;

    @Inject
    MongoClient mongo;

    @Test
    void aCompanyStartsWithTheDefaultsAndItsAdminChangesWhatTheyName() {
        var fx = new Fixtures(companion);
        as(fx.adminToken).get(SETTINGS).then().statusCode(200)
                .body("presence_grace_seconds", equalTo(120)).body("response_timeout_seconds", equalTo(300))
                .body("max_wait_seconds", equalTo(1800)).body("max_active_chats", equalTo(0))
                .body("queue_message", equalTo("")).body("no_agent_message", equalTo(""))
                .body("max_wait_message", equalTo(""))
                .body("metrics_bucket", equalTo(dev.handover.customer.service.CustomerMetrics.bucket(fx.company)));
        // what was read may be sent back whole: the bucket is shown, never set
        String read = as(fx.adminToken).get(SETTINGS).then().extract().asString();
        as(fx.adminToken).body(read.replaceFirst("\"metrics_bucket\":\\d+", "\"metrics_bucket\":99")).put(SETTINGS).then()
                .statusCode(200).body("metrics_bucket", equalTo(dev.handover.customer.service.CustomerMetrics.bucket(fx.company)));

        as(fx.adminToken).body("{\"max_active_chats\":3,\"queue_message\":\"You are number {position}\"}").put(SETTINGS)
                .then().statusCode(200).body("max_active_chats", equalTo(3))
                .body("queue_message", equalTo("You are number {position}")).body("max_wait_seconds", equalTo(1800));
        as(fx.adminToken).body("{\"max_wait_seconds\":0}").put(SETTINGS).then().statusCode(200)
                .body("max_wait_seconds", equalTo(0)).body("max_active_chats", equalTo(3));

        // another company's admin sees their own defaults, never ours
        var other = new Fixtures(companion);
        as(other.adminToken).get(SETTINGS).then().body("max_active_chats", equalTo(0));

        Document line = mongo.getDatabase("handover").getCollection("audit_log").find(Filters.and(
                Filters.eq("company_id", fx.company), Filters.eq("action", "settings_changed"),
                Filters.eq("after.max_wait_seconds", 0))).first();
        assertEquals(1800, ((Document) line.get("before")).getInteger("max_wait_seconds"));
        assertEquals("admin-" + fx.company, ((Document) line.get("actor")).getString("id"));
    }

    @Test
    void onlyAdminsReachTheSettings() {
        var fx = new Fixtures(companion);
        as(TestTokens.agent("alice", fx.company)).get(SETTINGS).then().statusCode(403);
        as(TestTokens.agent("alice", fx.company)).body("{\"max_active_chats\":1}").put(SETTINGS).then().statusCode(403);
        given().get(SETTINGS).then().statusCode(401);
        as(fx.adminToken).get(SETTINGS).then().body("max_active_chats", equalTo(0));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"presence_grace_seconds\":0}|presence_grace_seconds must be a whole number from 1 to 86400",
            "{\"presence_grace_seconds\":\"60\"}|presence_grace_seconds must be a whole number from 1 to 86400",
            "{\"response_timeout_seconds\":-1}|response_timeout_seconds must be a whole number from 0 to 86400",
            "{\"max_wait_seconds\":1.5}|max_wait_seconds must be a whole number from 0 to 604800",
            "{\"max_active_chats\":99999999999}|max_active_chats must be a whole number from 0 to 1000",
            "{\"queue_message\":null}|queue_message must be text of at most 2000 characters",
            "{\"no_agent_message\":42}|no_agent_message must be text of at most 2000 characters",
            "{\"max_wait_seconds\":60,\"colour\":\"red\"}|Unknown setting: colour",
            "[1,2]|Invalid JSON body",
            "{\"max_wait_seconds\":|Invalid JSON body" })
    void badValuesAreRefusedByNameAndChangeNothing(String body, String error) {
        var fx = new Fixtures(companion);
        given().header("Authorization", "Bearer " + fx.adminToken).contentType(ContentType.JSON).body(body).put(SETTINGS)
                .then().statusCode(400).body("error", equalTo(error));
        as(fx.adminToken).get(SETTINGS).then().body("max_wait_seconds", equalTo(1800));
    }

    @Test
    void aTextLongerThanMessengerTakesIsRefused() {
        var fx = new Fixtures(companion);
        as(fx.adminToken).body("{\"max_wait_message\":\"" + "x".repeat(2001) + "\"}").put(SETTINGS).then().statusCode(400)
                .body("error", equalTo("max_wait_message must be text of at most 2000 characters"));
    }

    @Test
    void cannedRepliesAreKeptPerCompanyChangedByAdminsAndReadByEveryAgent() {
        var fx = new Fixtures(companion);
        var other = new Fixtures(companion);
        String canned = "/api/dashboard/canned-replies";
        as(TestTokens.agent("alice", fx.company)).get(canned).then().statusCode(200).body("canned_replies", hasSize(0));
        as(fx.adminToken).body("{\"canned_replies\":[{\"shortcut\":\"hi\",\"text\":\"Hello, how can I help?\"},"
                + "{\"shortcut\":\"bye\",\"text\":\"Thanks for writing to us!\"}]}").put(SETTINGS).then().statusCode(200)
                .body("canned_replies.shortcut", contains("hi", "bye"));
        as(TestTokens.agent("alice", fx.company)).get(canned).then().statusCode(200)
                .body("canned_replies.shortcut", contains("hi", "bye"))
                .body("canned_replies[0].text", equalTo("Hello, how can I help?"));
        as(TestTokens.agent("mallory", other.company)).get(canned).then().statusCode(200).body("canned_replies", hasSize(0));
        as(TestTokens.agent("alice", fx.company)).body("{\"canned_replies\":[]}").put(SETTINGS).then().statusCode(403);
        given().get(canned).then().statusCode(401);

        String rule = "canned_replies must be a list of at most 100 {\"shortcut\", \"text\"} with distinct shortcuts"
                + " (1 to 32 letters, digits, - or _) and texts of 1 to 2000 characters";
        for (String bad : new String[] { "{}", "[{\"shortcut\":\"a b\",\"text\":\"x\"}]", "[{\"shortcut\":\"a\",\"text\":\"\"}]",
                "[{\"shortcut\":\"a\",\"text\":\"x\"},{\"shortcut\":\"a\",\"text\":\"y\"}]",
                "[{\"shortcut\":\"a\",\"text\":\"x\",\"extra\":1}]", "[{\"shortcut\":\"a\",\"text\":\"" + "x".repeat(2001) + "\"}]" }) {
            as(fx.adminToken).body("{\"canned_replies\":" + bad + "}").put(SETTINGS).then().statusCode(400)
                    .body("error", equalTo(rule));
        }
        // a refused change changed nothing
        as(TestTokens.agent("alice", fx.company)).get(canned).then().body("canned_replies.shortcut", contains("hi", "bye"));
    }
}
