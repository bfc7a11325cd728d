package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.handover.customer.repository.AuditRepository;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.MessageAuthor;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.events.TraceContext;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** Taking, releasing and writing to customers: the rules, the races, and what goes out over Kafka. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class AssignmentTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";

    KafkaCompanion companion;

    @Inject
    AuditRepository audit;

    Fixtures fx;
    String page;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
    }

    /** An operator sees a company's waiting customer in its bucket, and how long the longest has waited. */
    @Test
    void aWaitingCustomerCountsInItsCompanysBucket() {
        String page = fx.page();
        fx.waitingCustomer(page);
        String bucket = "{company_bucket=\"" + dev.handover.customer.service.CustomerMetrics.bucket(fx.company) + "\"";
        // counted every second here (a minute by default)
        await().atMost(Fixtures.WAIT).untilAsserted(() -> {
            String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertTrue(java.util.regex.Pattern.compile("(?m)^handover_customers_waiting" + java.util.regex.Pattern.quote(bucket)
                    + "[^}]*} [1-9]").matcher(metrics).find(), "the company's bucket counts no waiting customer");
            // the first in the company's queue has waited a second or more by now
            assertTrue(java.util.regex.Pattern.compile("(?m)^handover_customers_longest_wait_seconds"
                    + java.util.regex.Pattern.quote(bucket) + "[^}]*} [1-9]").matcher(metrics).find(),
                    "the company's bucket shows no wait");
        });
    }

    @Test
    void ofOneHundredAgentsRacingForOneCustomerExactlyOneWins() throws Exception {
        String customer = fx.waitingCustomer(page);
        var events = fx.events();
        int agents = 100;
        ExecutorService pool = Executors.newFixedThreadPool(agents);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Response>> calls = new ArrayList<>();
        for (int i = 0; i < agents; i++) {
            String token = TestTokens.agent("racer-" + i, fx.company);
            calls.add(pool.submit(() -> {
                start.await();
                return as(token).body(body()).post(CUSTOMERS + customer + "/assign");
            }));
        }
        start.countDown();
        List<Response> responses = new ArrayList<>();
        for (Future<Response> call : calls) {
            responses.add(call.get());
        }
        pool.shutdown();

        List<Response> won = responses.stream().filter(r -> r.statusCode() == 200).toList();
        assertEquals(1, won.size(), "winners");
        String winner = won.get(0).path("agent_email");
        for (Response lost : responses) {
            if (lost != won.get(0)) {
                assertEquals(409, lost.statusCode());
                assertEquals("Customer is already assigned to " + winner, lost.path("error"));
            }
        }
        as(fx.adminToken).queryParam("page_id", page).get(CUSTOMERS + "stopped").then()
                .body("customers[0].agent_email", equalTo(winner));
        List<CustomerEvent> assigned = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 1);
        assertEquals(winner, assigned.get(0).agent().email());
        assertEquals(1, fx.eventsOf(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer).size());
        events.close();
    }

    @Test
    void anAgentAtTheCompanysCapacityTakesNoMoreCustomersUntilOneIsReleased() {
        as(fx.adminToken).body("{\"max_active_chats\":1}").put("/api/admin/settings").then().statusCode(200);
        String first = fx.waitingCustomer(page);
        String second = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        as(alice).body(body()).post(CUSTOMERS + first + "/assign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + second + "/assign").then().statusCode(409)
                .body("error", equalTo("You have reached your limit of 1 active chats"));
        // writing to a waiting customer would take them: refused the same way, and nothing is queued
        as(alice).body("{\"page_id\":\"" + page + "\",\"message\":\"hi\"}").post(CUSTOMERS + second + "/messages").then()
                .statusCode(409).body("error", equalTo("You have reached your limit of 1 active chats"));
        as(alice).queryParam("page_id", page).get(CUSTOMERS + second + "/messages").then()
                .body("messages.findAll { it.direction == 'outbound' }", hasSize(0));
        // another agent is not held back by alice's load
        as(TestTokens.agent("bob", fx.company)).body(body()).post(CUSTOMERS + second + "/assign").then().statusCode(200);
        as(TestTokens.agent("bob", fx.company)).body(body()).post(CUSTOMERS + second + "/unassign").then().statusCode(200);

        as(alice).body(body()).post(CUSTOMERS + first + "/unassign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + second + "/assign").then().statusCode(200)
                .body("customer.agent_id", equalTo("alice"));
    }

    @Test
    void assignAnswersWithTheCustomerAndTheAgentAndOnlyTheAssigneeMayRelease() {
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        String bob = TestTokens.agent("bob", fx.company);
        var events = fx.events();

        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200)
                .body("customer.customer_id", equalTo(customer))
                .body("customer.agent_id", equalTo("alice"))
                .body("customer.assigned_at", notNullValue())
                .body("agent_id", equalTo("alice"))
                .body("agent_email", equalTo("alice@example.com"))
                .body("agent_name", equalTo("Agent alice"));
        // taking one's own customer again is harmless
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(bob).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(409)
                .body("error", equalTo("Customer is already assigned to alice@example.com"));
        as(bob).body(body()).post(CUSTOMERS + customer + "/unassign").then().statusCode(403)
                .body("error", equalTo("You are not assigned to this customer"));

        as(alice).queryParam("page_id", page).get(CUSTOMERS + "stopped").then()
                .body("customers[0].is_assigned", equalTo(true))
                .body("customers[0].is_assigned_to_me", equalTo(true));
        as(bob).queryParam("page_id", page).get(CUSTOMERS + "stopped").then()
                .body("customers[0].is_assigned_to_me", equalTo(false));

        as(alice).get(CUSTOMERS + "lookup/" + customer).then().statusCode(200)
                .body("page_id", equalTo(page)).body("is_assigned_to_me", equalTo(true));
        as(bob).get(CUSTOMERS + "lookup/" + customer).then().statusCode(200).body("is_assigned_to_me", equalTo(false));
        as(TestTokens.agent("spy", "another-company")).get(CUSTOMERS + "lookup/" + customer).then().statusCode(404)
                .body("error", equalTo("Customer not found"));
        as(alice).body(body()).post(CUSTOMERS + customer + "/unassign").then().statusCode(200)
                .body("customer.agent_id", nullValue())
                .body("customer.stop", equalTo(true));
        as(alice).body(body()).post(CUSTOMERS + customer + "/unassign").then().statusCode(403)
                .body("error", equalTo("You are not assigned to this customer"));
        as(bob).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);

        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("handover_wait_to_assignment_seconds_count"), "wait-to-assignment timer");
        for (String gauge : List.of("handover_customers_waiting", "handover_customers_longest_wait_seconds",
                "handover_customers_past_max_wait")) {
            for (int b = 0; b < dev.handover.customer.service.CustomerMetrics.BUCKETS; b++) {
                assertTrue(metrics.contains(gauge + "{company_bucket=\"" + b + "\""), gauge + " of bucket " + b);
            }
        }
        assertTrue(metrics.contains("handover_first_response_seconds"), "first-response timer");
        assertTrue(metrics.contains("kafka_consumer_fetch_manager_records_lag"), "consumer lag");
        List<CustomerEvent> changes = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 3);
        assertEquals(List.of("assigned", "unassigned", "assigned"), changes.stream().map(CustomerEvent::action).toList());
        assertEquals(List.of("alice", "alice", "bob"), changes.stream().map(e -> e.agent().id()).toList());
        assertEquals("bob", changes.get(2).customer().agentId());
        events.close();

        await().atMost(Fixtures.WAIT).until(() -> audit.ofCustomer(fx.company, page, customer, 100).stream()
                .map(d -> d.getString("action")).toList(), a -> a.containsAll(List.of("stop_changed", "assigned", "unassigned")));
        Document release = audit.ofCustomer(fx.company, page, customer, 100).stream().filter(d -> "unassigned".equals(d.getString("action")))
                .findFirst().orElseThrow();
        assertEquals("alice", release.get("actor", Document.class).getString("id"));
        assertEquals("alice", release.get("before", Document.class).getString("agent_id"));
        assertEquals(null, release.get("after", Document.class).getString("agent_id"));
    }

    @Test
    void customersWhoDidNotAskForAHumanCannotBeAssignedOrMessaged() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "what are your opening hours?");
        String alice = TestTokens.agent("alice", fx.company);
        await().atMost(Fixtures.WAIT).until(() -> as(alice).queryParam("page_id", page).get("/api/dashboard/customers")
                .then().extract().<List<String>>path("customers.customer_id").contains(customer));
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(409)
                .body("error", equalTo("Customer has not requested human assistance"));
        as(alice).body(body("\"message\":\"hello\"")).post(CUSTOMERS + customer + "/messages").then().statusCode(409)
                .body("error", equalTo("Customer has not requested human assistance"));
        // the customer's message reaches the history through the outbox, just after the customer document
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).queryParam("page_id", page)
                .get(CUSTOMERS + customer + "/messages").then()
                .body("messages", hasSize(1)).body("messages[0].author", equalTo("customer")));
    }

    @Test
    void sendingAssignsAnUnassignedCustomerQueuesTheTextAndOnlyTheAssigneeMaySend() {
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        String bob = TestTokens.agent("bob", fx.company);
        var events = fx.events();
        var outbound = companion.consume(String.class, byte[].class).withGroupId(Fixtures.id("out"))
                .fromTopics(Topics.MESSENGER_OUTBOUND);

        // a caller's trace is not continued while tracing is off: nothing is stored or sent for it
        String messageId = as(alice).header(TraceContext.HEADER, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .body(body("\"message\":\"Hello, how can I help you today?\""))
                .post(CUSTOMERS + customer + "/messages").then().statusCode(200)
                .body("customer_id", equalTo(customer))
                .body("page_id", equalTo(page))
                .body("message", equalTo("Hello, how can I help you today?"))
                .body("status", equalTo("queued"))
                .body("timestamp", notNullValue())
                .extract().path("message_id");
        as(bob).body(body("\"message\":\"me too\"")).post(CUSTOMERS + customer + "/messages").then().statusCode(409)
                .body("error", equalTo("Customer is already assigned to alice@example.com"));
        as(alice).body(body("\"message\":\"  \"")).post(CUSTOMERS + customer + "/messages").then().statusCode(400)
                .body("error", equalTo("message is required"));
        as(alice).body(body("\"message\":\"" + "x".repeat(2001) + "\"")).post(CUSTOMERS + customer + "/messages")
                .then().statusCode(400).body("error", equalTo("message is longer than 2000 characters"));

        ConsumerRecord<String, byte[]> record = await().atMost(Fixtures.WAIT).until(() -> outbound.getRecords().stream()
                .filter(r -> Topics.conversationKey(page, customer).equals(r.key())).toList(), list -> !list.isEmpty()).get(0);
        outbound.close();
        assertNull(TraceContext.of(record.headers()));
        OutboundMessage sent = new OutboundMessage.Deserializer().deserialize("t", record.value());
        assertEquals(messageId, sent.messageId());
        assertEquals(OutboundKind.TEXT, sent.kind());
        assertEquals("Hello, how can I help you today?", sent.text());
        assertEquals(page, sent.pageId());
        assertEquals(customer, sent.customerId());
        assertTrue(sent.customerLastMessageAt() != null, "window start travels with the message");

        assertEquals("alice", fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 1).get(0)
                .agent().id());
        CustomerEvent message = fx.awaitEvents(events, CustomerEventType.NEW_MESSAGE, customer, 2).get(1);
        assertEquals(MessageAuthor.AGENT, message.message().author());
        assertEquals("alice@example.com", message.message().agent().email());
        assertEquals(page, message.message().senderId());
        events.close();
    }

    @Test
    void historyPagesByCursorAndProfileIsReadAndUpdated() {
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        for (int i = 1; i <= 4; i++) {
            as(alice).body(body("\"message\":\"reply " + i + "\"")).post(CUSTOMERS + customer + "/messages").then()
                    .statusCode(200);
        }
        var first = as(alice).queryParam("page_id", page).queryParam("limit", 3).get(CUSTOMERS + customer + "/messages")
                .then().statusCode(200).body("messages", hasSize(3)).body("has_more", equalTo(true))
                .body("messages[0].text", equalTo("reply 4")).body("messages[0].status", notNullValue())
                .body("messages[0].agent_email", equalTo("alice@example.com")).extract();
        as(alice).queryParam("page_id", page).queryParam("limit", 3).queryParam("before", first.<String>path("next_cursor"))
                .get(CUSTOMERS + customer + "/messages").then().statusCode(200)
                .body("messages.text", org.hamcrest.Matchers.contains("reply 1", "I want to talk to a human please"))
                .body("has_more", equalTo(false)).body("next_cursor", nullValue());
        as(alice).queryParam("page_id", page).queryParam("before", "garbage!").get(CUSTOMERS + customer + "/messages")
                .then().statusCode(400).body("error", equalTo("before is not a cursor this API gave out"));

        as(alice).queryParam("page_id", page).get(CUSTOMERS + customer + "/profile").then().statusCode(200)
                .body("taxCode", nullValue());
        as(alice).body("{\"page_id\":\"" + page + "\",\"taxCode\":\"IT123\",\"companyName\":\"Roe Srl\",\"notes\":\"VIP\"}")
                .put(CUSTOMERS + customer + "/profile").then().statusCode(200)
                .body("taxCode", equalTo("IT123")).body("companyName", equalTo("Roe Srl")).body("notes", equalTo("VIP"));
        as(alice).body("{\"page_id\":\"" + page + "\",\"notes\":\"VIP, prefers email\"}")
                .put(CUSTOMERS + customer + "/profile").then().statusCode(200)
                .body("taxCode", equalTo("IT123")).body("notes", equalTo("VIP, prefers email"));
        var rival = new Fixtures(companion);
        rival.page();
        as(rival.agentToken("spy")).queryParam("page_id", page).get(CUSTOMERS + customer + "/profile").then()
                .statusCode(403).body("error", equalTo("Page not found or access denied"));
    }

    @Test
    void handingBackToTheBotReleasesTheAgentAndIsReservedToThem() {
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        String bob = TestTokens.agent("bob", fx.company);
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(bob).body(body("\"stop\":false")).put(CUSTOMERS + customer + "/stop").then().statusCode(409)
                .body("error", equalTo("Customer is already assigned to alice@example.com"));
        var events = fx.events();
        as(alice).body(body("\"stop\":false")).put(CUSTOMERS + customer + "/stop").then().statusCode(200)
                .body("customer.stop", equalTo(false)).body("customer.agent_id", nullValue());
        CustomerEvent released = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 2).get(1);
        assertEquals("unassigned", released.action());
        CustomerEvent stop = fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 2).get(1);
        assertEquals(Boolean.FALSE, stop.stop());
        events.close();
    }

    private String body() {
        return "{\"page_id\":\"" + page + "\"}";
    }

    private String body(String extra) {
        return "{\"page_id\":\"" + page + "\"," + extra + "}";
    }
}
