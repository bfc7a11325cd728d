package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.handover.customer.service.WebhookSender;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Outbound webhooks against a real HTTP receiver that fails for a while (errors, and an answer that comes too late):
 * every event it subscribed to arrives once, in order per customer, signed with the webhook's secret.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class WebhookTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";
    private static final ObjectMapper JSON = new ObjectMapper();

    KafkaCompanion companion;

    Fixtures fx;
    String page;
    HttpServer receiver;
    /** Requests that failed on purpose before the receiver starts accepting. */
    final AtomicInteger failures = new AtomicInteger();
    final List<JsonNode> accepted = Collections.synchronizedList(new ArrayList<>());
    final List<String> signatures = Collections.synchronizedList(new ArrayList<>());
    final List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
    final List<byte[]> bodies = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        fx = new Fixtures(companion);
        page = fx.page();
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        receiver.createContext("/hook", this::receive);
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        bodies.add(body);
        signatures.add(exchange.getRequestHeaders().getFirst("X-Handover-Signature-256"));
        arrivals.add(System.nanoTime());
        int failed = failures.incrementAndGet();
        int status;
        if (failed <= 3) {
            status = 503;
        } else if (failed == 4) {
            // an answer that comes after the sender stopped waiting (test timeout 2 s): a failure too
            try {
                Thread.sleep(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            status = 503;
        } else {
            status = 200;
            accepted.add(JSON.readTree(body));
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    @Test
    void everySubscribedEventArrivesOnceInOrderPerCustomerSignedDespiteFailures() throws Exception {
        String secret = as(fx.adminToken).body("{\"url\":\"" + url() + "\"}").post("/api/admin/webhooks").then()
                .statusCode(201).body("events.size()", equalTo(3)).body("secret", startsWith("whsec_")).extract()
                .path("secret");
        String id = as(fx.adminToken).get("/api/admin/webhooks").then().statusCode(200)
                .body("webhooks[0]", not(hasKey("secret"))).extract().path("webhooks[0].id");
        var events = fx.events();
        String alice = fx.agentToken("alice");
        String first = fx.waitingCustomer(page);
        String second = fx.waitingCustomer(page);
        as(alice).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + first + "/assign").then().statusCode(200);
        as(alice).body("{\"page_id\":\"" + page + "\",\"message\":\"Hello from Alice\"}").post(CUSTOMERS + first + "/messages")
                .then().statusCode(200);
        as(alice).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + first + "/unassign").then().statusCode(200);
        fx.customerWrites(page, second, "still there?");

        Map<String, List<String>> expected = new LinkedHashMap<>();
        for (String customer : List.of(first, second)) {
            expected.put(customer, await().atMost(Fixtures.WAIT).until(() -> subscribed(events, customer),
                    l -> l.size() >= (customer.equals(first) ? 5 : 3)));
        }
        // the first asked (new_message, stop change), was taken, written to and released; the second asked and wrote
        int total = expected.get(first).size() + expected.get(second).size();
        assertEquals(8, total);
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> accepted.size() >= total);
        await().during(java.time.Duration.ofSeconds(1)).atMost(java.time.Duration.ofSeconds(3))
                .until(() -> accepted.size() == total);
        for (String customer : List.of(first, second)) {
            List<String> arrived = accepted.stream().filter(e -> customer.equals(e.at("/customer/customer_id").asText()))
                    .map(e -> e.get("event_id").asText()).toList();
            assertEquals(expected.get(customer), arrived, "the events of " + customer + ", once and in order");
        }
        assertEquals(total + 4, failures.get(), "four failed requests, then each event once");
        // the late answer's delivery was tried again before that answer (5 s): the sender stopped waiting at its timeout
        String late = JSON.readTree(bodies.get(3)).get("event_id").asText();
        int again = 4;
        while (!late.equals(JSON.readTree(bodies.get(again)).get("event_id").asText())) {
            again++;
        }
        long gap = (arrivals.get(again) - arrivals.get(3)) / 1_000_000;
        assertTrue(gap < 4_500, "the sender waited " + gap + " ms for an answer");
        for (int i = 0; i < bodies.size(); i++) {
            assertEquals(WebhookSender.signature(secret, bodies.get(i)), signatures.get(i));
        }
        JsonNode assigned = accepted.stream().filter(e -> "agent_assignment_changed".equals(e.get("type").asText()))
                .findFirst().orElseThrow();
        assertEquals("alice", assigned.at("/agent/id").asText());
        assertEquals("taken", assigned.get("reason").asText());

        // the log shows the retries of the first delivery and the outcome of each
        as(fx.adminToken).get("/api/admin/webhooks/" + id + "/deliveries").then().statusCode(200)
                .body("deliveries.size()", equalTo(total))
                .body("deliveries.findAll { it.status == 'delivered' }.size()", equalTo(total))
                .body("deliveries.sum { it.attempts }", equalTo(total + 4))
                .body("deliveries.max { it.attempts }.last_status", equalTo(200));
        events.close();
    }

    @Test
    void badRegistrationsAreRefusedAndAWebhookIsTheCompanysAlone() {
        as(fx.adminToken).body("{\"url\":\"ftp://example.com/x\"}").post("/api/admin/webhooks").then().statusCode(400)
                .body("error", equalTo("url must be an http or https URL of at most 2048 characters"));
        as(fx.adminToken).body("{\"url\":\"" + url() + "\",\"events\":[\"everything\"]}").post("/api/admin/webhooks").then()
                .statusCode(400).body("error", equalTo(
                        "events must be some of customer_stop_status_changed, agent_assignment_changed, new_message"));
        as(fx.agentToken("alice")).body("{\"url\":\"" + url() + "\"}").post("/api/admin/webhooks").then().statusCode(403);
        String id = as(fx.adminToken).body("{\"url\":\"" + url() + "\",\"events\":[\"agent_assignment_changed\"]}")
                .post("/api/admin/webhooks").then().statusCode(201).extract().path("id");
        var rival = new Fixtures(companion);
        as(rival.adminToken).get("/api/admin/webhooks/" + id + "/deliveries").then().statusCode(404)
                .body("error", equalTo("Webhook not found"));
        as(rival.adminToken).delete("/api/admin/webhooks/" + id).then().statusCode(404);
        as(rival.adminToken).get("/api/admin/webhooks").then().body("total", equalTo(0));

        // only what it subscribed to: a customer's request (stop change, messages) sends nothing
        failures.set(10);
        String customer = fx.waitingCustomer(page);
        as(fx.agentToken("alice")).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + customer + "/assign").then()
                .statusCode(200);
        await().atMost(Fixtures.WAIT).until(() -> accepted.size() >= 1);
        await().during(java.time.Duration.ofSeconds(1)).atMost(java.time.Duration.ofSeconds(3)).until(() -> accepted.size() == 1);
        assertEquals("agent_assignment_changed", accepted.get(0).get("type").asText());
        as(fx.adminToken).delete("/api/admin/webhooks/" + id).then().statusCode(204);
        as(fx.adminToken).get("/api/admin/webhooks/" + id + "/deliveries").then().statusCode(404);
    }

    /** The customer's events a webhook of all three kinds is owed, in the order agents received them. */
    private List<String> subscribed(io.smallrye.reactive.messaging.kafka.companion.ConsumerTask<String, byte[]> events,
            String customer) {
        var decoder = new CustomerEvent.Deserializer();
        return events.getRecords().stream().filter(r -> fx.company.equals(r.key()))
                .map(r -> decoder.deserialize("t", r.value()))
                .filter(e -> e.customer() != null && customer.equals(e.customer().customerId()))
                .filter(e -> e.type() == CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED
                        || e.type() == CustomerEventType.AGENT_ASSIGNMENT_CHANGED || e.type() == CustomerEventType.NEW_MESSAGE)
                .map(CustomerEvent::eventId).toList();
    }
}
