package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;

import dev.handover.customer.config.MongoIndexes;
import dev.handover.customer.service.Lifecycle;
import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Every query the service sends on its hot paths (intake of customers' messages, lists and counts, look-ups,
 * assignment, sending and delivery reports, history pages, audit, the outbox and the send timers, metrics) is
 * answered from an index: recorded with the driver's command listener and asked back with {@code explain}, none
 * reads a whole collection or sorts in memory. Asserts on plans, never on timings: it holds on MongoDB and on the
 * embedded wire server alike, and fails the day a query or an index changes so that one of them grows with the
 * data.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class QueryPlansTest {

    private static final String CUSTOMERS = "/api/dashboard/customers";
    /** Collections that grow with the data (every collection customer-service keeps). */
    private static final Set<String> GROWING = Set.of("customers", "messages", "audit_log", "pages", "agents",
            "presence", "webhooks", "webhook_deliveries");

    KafkaCompanion companion;

    @Inject
    RecordedCommands recorded;
    @Inject
    MongoClient mongo;
    @Inject
    MongoIndexes indexes;
    @Inject
    Lifecycle lifecycle;

    @Test
    void everyHotPathReadsAnIndexAndSortsNothingInMemory() {
        // another test may have restarted the in-memory wire server, which starts empty: indexes as at start-up
        indexes.ensure();
        // what start-up does once (an upgrade's backfill reads every customer without search words) is no hot path
        int sinceStart = recorded.all().size();
        var fx = new Fixtures(companion);
        String page = fx.page();
        String agent = TestTokens.agent("alice", fx.company);
        // a webhook nobody answers: every event is owed to it, tried, and tried again
        String webhook = as(fx.adminToken).body("{\"url\":\"http://127.0.0.1:9/hook\"}").post("/api/admin/webhooks").then()
                .statusCode(201).extract().path("id");
        String customer = fx.waitingCustomer(page);
        fx.waitingCustomer(page);

        as(agent).get(CUSTOMERS).then().statusCode(200);
        as(agent).queryParam("page_id", page).queryParam("page", 2).queryParam("limit", 1).get(CUSTOMERS).then()
                .statusCode(200);
        as(agent).get(CUSTOMERS + "/stopped").then().statusCode(200);
        as(agent).queryParam("page_id", page).get(CUSTOMERS + "/stopped").then().statusCode(200);
        as(agent).get(CUSTOMERS + "/lookup/" + customer).then().statusCode(200);
        as(agent).queryParam("q", "jane").get(CUSTOMERS + "/search").then().statusCode(200);
        // with a capacity, taking a customer counts the agent's active chats
        as(fx.adminToken).body("{\"max_active_chats\":5,\"queue_message\":\"You are number {position}\"}")
                .put("/api/admin/settings").then().statusCode(200);
        // presence: a gateway's report, the agents' list, a chosen status, the last connection gone
        fx.presence("gw-plans", 30, "alice");
        await().atMost(Fixtures.WAIT).until(() -> "online".equals(as(agent).get("/api/dashboard/agents/me").then()
                .extract().path("status")));
        as(agent).get("/api/dashboard/agents").then().statusCode(200);
        as(agent).body("{\"status\":\"away\"}").put("/api/dashboard/agents/me/status").then().statusCode(200);
        as(agent).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + "/" + customer + "/assign").then()
                .statusCode(200);
        String sent = as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"hello, I am Alice\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("message_id");
        as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"how can I help?\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200);
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_DELIVERY,
                Topics.conversationKey(page, customer), new JsonSerializer().serialize("t", new DeliveryReport(sent, page,
                        customer, DeliveryStatus.SENT, "m_fb_" + sent, null, null, null, false, 1, Instant.now()))))
                .awaitCompletion(Fixtures.WAIT);
        fx.publish(new InboundEvent(Fixtures.id("read"), InboundKind.READ, page, customer,
                Instant.now().truncatedTo(ChronoUnit.MILLIS), null, null, null, null, null, null, null, null, null,
                Instant.now().plusSeconds(1), null, null));
        await().atMost(Fixtures.WAIT).until(() -> "read".equals(as(agent).queryParam("page_id", page)
                .get(CUSTOMERS + "/" + customer + "/messages").then().extract()
                .path("messages.find { it.id == '" + sent + "' }.status")));
        String next = as(agent).queryParam("page_id", page).queryParam("limit", 1)
                .get(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("next_cursor");
        as(agent).queryParam("page_id", page).queryParam("before", next).get(CUSTOMERS + "/" + customer + "/messages")
                .then().statusCode(200);
        as(agent).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + "/" + customer + "/unassign").then()
                .statusCode(200);
        fx.presence("gw-plans", 30);
        await().atMost(Fixtures.WAIT).until(() -> "offline".equals(as(agent).get("/api/dashboard/agents/me").then()
                .extract().path("status")));
        as(fx.adminToken).queryParam("page_id", page).get("/api/admin/customers/" + customer + "/audit").then()
                .statusCode(200);
        as(fx.adminToken).get("/api/admin/pages/" + page + "/audit").then().statusCode(200);
        as(fx.adminToken).get("/api/dashboard/pages").then().statusCode(200);
        lifecycle.sweep();
        await().atMost(Fixtures.WAIT).until(() -> as(fx.adminToken).get("/api/admin/webhooks/" + webhook + "/deliveries")
                .then().statusCode(200).extract().<List<Integer>>path("deliveries.attempts").stream().anyMatch(a -> a >= 2));
        as(fx.adminToken).get("/api/dashboard/reports").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);

        Map<String, RecordedCommands.Command> shapes = new LinkedHashMap<>();
        List<RecordedCommands.Command> commands = recorded.all();
        for (RecordedCommands.Command command : commands.subList(sinceStart, commands.size())) {
            if (GROWING.contains(command.collection())) {
                shapes.putIfAbsent(command.name() + " " + command.collection() + " " + shape(command), command);
            }
        }
        for (String exercised : List.of("find customers", "aggregate customers", "update customers", "find messages",
                "update messages", "find audit_log", "find pages", "find messages filter={send_due_at{$lte}}", "find agents", "update agents",
                "aggregate agents", "find presence", "find webhooks", "find webhook_deliveries",
                "update webhook_deliveries", "findAndModify webhook_deliveries")) {
            assertTrue(shapes.keySet().stream().anyMatch(s -> s.startsWith(exercised + " ")),
                    "no " + exercised + " among " + shapes.keySet());
        }
        List<String> unindexed = new ArrayList<>();
        for (Map.Entry<String, RecordedCommands.Command> shape : shapes.entrySet()) {
            RecordedCommands.Command command = shape.getValue();
            Document plan = mongo.getDatabase(command.database())
                    .runCommand(new Document("explain", Document.parse(sendable(command.body()).toJson())))
                    .get("queryPlanner", Document.class).get("winningPlan", Document.class);
            String stages = plan.toJson();
            if (stages.contains("\"COLLSCAN\"") || stages.contains("\"SORT\"")) {
                unindexed.add(shape.getKey() + " -> " + stages);
            }
        }
        assertEquals(List.of(), unindexed, "queries that read a whole collection or sort in memory");
    }

    /** The command without the driver's session and cluster fields, as {@code explain} takes it. */
    private static BsonDocument sendable(BsonDocument body) {
        BsonDocument clean = new BsonDocument();
        body.forEach((key, value) -> {
            if (!key.startsWith("$") && !key.equals("lsid") && !key.equals("txnNumber")) {
                clean.put(key, value);
            }
        });
        return clean;
    }

    /** What decides the plan: the fields filtered on and the sort, not their values. */
    private static String shape(RecordedCommands.Command command) {
        BsonDocument body = command.body();
        List<String> parts = new ArrayList<>();
        for (String key : List.of("filter", "sort", "query", "pipeline", "updates", "deletes")) {
            if (body.containsKey(key)) {
                parts.add(key + "=" + keys(body.get(key)));
            }
        }
        return String.join(" ", parts);
    }

    private static String keys(BsonValue value) {
        if (value.isDocument()) {
            List<String> inner = new ArrayList<>();
            value.asDocument().forEach((k, v) -> inner.add(k.equals("u") ? "u" : k + keys(v)));
            return "{" + String.join(",", inner) + "}";
        }
        if (value.isArray()) {
            List<String> inner = new ArrayList<>();
            value.asArray().forEach(v -> inner.add(keys(v)));
            return "[" + String.join(",", inner.stream().distinct().toList()) + "]";
        }
        return "";
    }
}
