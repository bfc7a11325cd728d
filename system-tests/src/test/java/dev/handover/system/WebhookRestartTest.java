package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;

import dev.handover.events.Topics;
import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInbound;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestPages;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Outbound webhooks across a crash: customer-service is killed with SIGKILL while customers write (and they go on
 * writing while it is down); once a new process is up, the company's receiver has every {@code new_message}, in
 * order per customer. Its own database and consumer groups keep other tests' processes out.
 */
class WebhookRestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CUSTOMERS = 5;
    private static final int MESSAGES = 10;

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String company = "co-hooks-" + run;
    private final String page = "page-hooks-" + run;
    private final Map<String, String> env = TestInfrastructure.isolatedCustomerService("hooks-" + run);
    private final KafkaCompanion kafka = new KafkaCompanion(TestInfrastructure.infrastructure().kafkaBootstrapServers());
    private final List<JsonNode> received = Collections.synchronizedList(new ArrayList<>());

    @Test
    void aCustomerServiceKilledMidTrafficOwesTheReceiverNothingOnceItIsBack() throws Exception {
        HttpServer receiver = receiver();
        ServiceProcess customerService = TestInfrastructure.start("customer-service", env);
        try {
            subscribe(customerService, receiver);
            // the webhook consumer starts at the newest record: traffic counts once it delivered a first event
            writes("psid-warm-" + run, "warming up");
            await().atMost(Duration.ofSeconds(30)).until(() -> texts("psid-warm-" + run).contains("warming up"));

            Map<String, List<String>> sent = new LinkedHashMap<>();
            for (int m = 0; m < MESSAGES; m++) {
                if (m == MESSAGES / 2) {
                    customerService.kill();
                }
                for (int c = 0; c < CUSTOMERS; c++) {
                    String customer = "psid-hooks-" + run + "-" + c;
                    String text = "message " + m;
                    writes(customer, text);
                    sent.computeIfAbsent(customer, k -> new ArrayList<>()).add(text);
                }
            }
            customerService = TestInfrastructure.start("customer-service", env);
            await().atMost(Duration.ofSeconds(60)).until(() -> sent.entrySet().stream()
                    .allMatch(e -> texts(e.getKey()).containsAll(e.getValue())));
            int repeated = 0;
            for (Map.Entry<String, List<String>> customer : sent.entrySet()) {
                List<String> arrived = texts(customer.getKey());
                List<String> firsts = arrived.stream().distinct().toList();
                assertEquals(customer.getValue(), firsts, "the events of " + customer.getKey() + " in order");
                repeated += arrived.size() - firsts.size();
            }
            System.out.printf("webhooks across a SIGKILL of customer-service: %d messages, %d delivered, %d repeated "
                    + "(at least once), 0 lost%n", CUSTOMERS * MESSAGES, CUSTOMERS * MESSAGES, repeated);
        } finally {
            customerService.close();
            receiver.stop(0);
        }
    }

    /**
     * customer-service killed before its webhook consumer read anything (so before any periodic commit): a broadcast
     * published while it is down is delivered once it is back, because the group's start was recorded as it was
     * assigned, not left to the newest broadcast of the next start.
     */
    @Test
    void aBroadcastOfTheDowntimeIsDeliveredThoughNothingWasReadBeforeTheCrash() throws Exception {
        HttpServer receiver = receiver();
        ServiceProcess customerService = TestInfrastructure.start("customer-service", env);
        try {
            subscribe(customerService, receiver);
            String group = env.get("MP_MESSAGING_INCOMING_WEBHOOK_EVENTS_GROUP_ID");
            int partitions = kafka.topics().describe(Topics.CUSTOMER_EVENTS).get(Topics.CUSTOMER_EVENTS).partitions().size();
            // its webhook consumer holds every partition of the broadcasts (and has read none: nothing was published)
            await().atMost(Duration.ofSeconds(30)).until(() -> kafka.consumerGroups().describe(group).members().stream()
                    .mapToLong(member -> member.assignment().topicPartitions().stream()
                            .filter(partition -> partition.topic().equals(Topics.CUSTOMER_EVENTS)).count())
                    .sum() == partitions);
            customerService.kill();

            String customer = "psid-gap-" + run;
            ObjectNode event = JSON.createObjectNode().put("event_id", UUID.randomUUID().toString()).put("type", "new_message")
                    .put("company_id", company).put("occurred_at", Instant.now().toString());
            event.putObject("customer").put("customer_id", customer).put("page_id", page).put("company_id", company);
            event.putObject("message").put("mid", "m-gap-" + run).put("text", "published while it was down");
            kafka.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.CUSTOMER_EVENTS, company,
                    JSON.writeValueAsBytes(event))).awaitCompletion(Duration.ofSeconds(10));

            customerService = TestInfrastructure.start("customer-service", env);
            await().atMost(Duration.ofSeconds(30)).until(() -> texts(customer).contains("published while it was down"));
            assertEquals(List.of("published while it was down"), texts(customer));
        } finally {
            customerService.close();
            receiver.stop(0);
        }
    }

    /** The company's page connected, and its webhook for {@code new_message} pointed at the receiver. */
    private void subscribe(ServiceProcess customerService, HttpServer receiver) {
        TestPages.connected("hooks-" + run, page, company, "Hooks");
        given().baseUri(customerService.url()).auth().oauth2(TestTokens.admin("boss", company)).contentType(ContentType.JSON)
                .body("{\"url\":\"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\",\"events\":[\"new_message\"]}")
                .post("/api/admin/webhooks").then().statusCode(201);
    }

    private HttpServer receiver() throws IOException {
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/hook", exchange -> {
            received.add(JSON.readTree(exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        receiver.start();
        return receiver;
    }

    /** The texts of the {@code new_message} events the receiver got for a customer, in arrival order. */
    private List<String> texts(String customer) {
        synchronized (received) {
            return received.stream().filter(e -> "new_message".equals(e.path("type").asText())
                    && customer.equals(e.at("/customer/customer_id").asText())).map(e -> e.at("/message/text").asText())
                    .toList();
        }
    }

    private void writes(String customer, String text) {
        TestInbound.customerWrites(kafka, page, customer, text);
    }
}
