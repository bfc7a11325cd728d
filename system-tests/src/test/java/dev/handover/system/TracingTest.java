package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.TestTokens;
import dev.handover.system.TraceCollector.Collected;
import io.restassured.http.ContentType;

/**
 * One customer message is one trace, as an operator following it sees it in a tracing backend: the webhook through
 * the bridge, Kafka, customer-service and its database, Kafka again, to the gateway's broadcast to the agents'
 * sockets; and the agent's answer from its command through customer-service and Kafka to the bridge's Send API
 * call. Spans carry ids, never message texts or tokens. The services export to a real OTLP receiver.
 */
class TracingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "8" + (System.nanoTime() % 1_000_000_000L);
    private static final String PAGE_TOKEN = "page-token-" + UUID.randomUUID();

    private static MessengerStack stack;

    @BeforeAll
    static void start() {
        // a stack of its own: a replica another test started on the shared broker could take this test's records
        stack = MessengerStack.isolated("tracing");
        stack.facebook.stubFor(get(urlPathMatching("/v25.0/psid-.*")).willReturn(okJson("{\"first_name\":\"Ana\",\"last_name\":\"Lima\"}")));
        stack.facebook.stubFor(post(urlPathEqualTo("/v25.0/" + PAGE + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"x\",\"message_id\":\"m_fb_traced\"}")));
        stack.pageToken(PAGE, PAGE_TOKEN, "Traced Shop");
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    @Test
    void aWebhookAndTheAgentsAnswerAreEachOneConnectedTrace() {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        String request = "I want to talk to a real person, secret-" + UUID.randomUUID();
        String answer = "Hello Ana, private-" + UUID.randomUUID();
        given().baseUri(stack.customerService.url()).auth().oauth2(TestTokens.admin("boss", company))
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"" + PAGE_TOKEN + "\"}")
                .post("/api/admin/pages").then().statusCode(201);
        logLinesCarryTheirTrace(company);

        try (var alice = AgentSocket.connect(stack.ws(), TestTokens.agent("alice", company), null)) {
            alice.next("connected");
            String mid = stack.customerWrites(PAGE, customer, request);
            alice.next("agent_requested");

            // webhook -> bridge -> Kafka -> customer-service -> MongoDB -> Kafka -> gateway -> the agents' frames
            String inbound = traceOf(s -> "messenger-bridge".equals(s.service()) && mid.equals(s.attributes().get("handover.mid")));
            List<Collected> webhook = awaitTrace(inbound, t -> t.stream().anyMatch(s -> s.name().equals("customer.events broadcast")
                    && "agent_requested".equals(s.attributes().get("handover.event_type"))), customer);
            print("webhook to agent frame", webhook);
            Collected root = connected(webhook);
            assertEquals("messenger-bridge", root.service());
            assertEquals("SERVER", root.kind());
            assertTrue(root.attributes().getOrDefault("http.route", "").contains("webhook"), root.toString());
            Collected broadcast = webhook.stream().filter(s -> s.name().equals("customer.events broadcast")
                    && "agent_requested".equals(s.attributes().get("handover.event_type"))).findFirst().orElseThrow();
            assertEquals("realtime-gateway", broadcast.service());
            assertEquals(customer, broadcast.attributes().get("handover.customer_id"));
            assertEquals(List.of("customer.events broadcast", "customer.events publish", "messenger.inbound process",
                    "messenger.inbound publish"), ancestry(webhook, broadcast).stream().map(Collected::name)
                            .filter(n -> !n.startsWith("POST")).toList());
            assertEquals(Set.of("messenger-bridge", "customer-service", "realtime-gateway"),
                    webhook.stream().map(Collected::service).collect(Collectors.toSet()));
            assertTrue(webhook.stream().anyMatch(s -> s.service().equals("customer-service")
                    && "mongodb".equals(s.attributes().get("db.system")) && s.attributes().containsKey("db.collection.name")), "customer-service's MongoDB commands are in the trace");
            assertTrue(webhook.stream().anyMatch(s -> s.name().equals("graph profile")), "the profile look-up is in the trace");
            secretsKept(webhook, request);

            // the agent's command -> customer-service -> Kafka -> bridge -> Send API
            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE + "\"}}");
            alice.next("agent_assigned");
            alice.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE
                    + "\",\"message\":\"" + answer + "\"}");
            String messageId = alice.next("message_sent").path("message_id").asText();
            String outbound = traceOf(s -> s.name().equals("messenger.outbound send")
                    && messageId.equals(s.attributes().get("handover.message_id")));
            List<Collected> send = awaitTrace(outbound, t -> t.stream().anyMatch(s -> s.name().equals("graph send")), customer);
            print("agent command to Send API", send);
            Collected command = connected(send);
            assertEquals("realtime-gateway", command.service());
            assertEquals("send_message", command.attributes().get("handover.command"));
            Collected graphSend = send.stream().filter(s -> s.name().equals("graph send")).findFirst().orElseThrow();
            assertEquals("200", graphSend.attributes().get("http.response.status_code"));
            assertEquals(List.of("graph send", "messenger.outbound send", "messenger.outbound publish"),
                    ancestry(send, graphSend).stream().map(Collected::name).limit(3).toList());
            assertTrue(ancestry(send, graphSend).stream().anyMatch(s -> s.service().equals("customer-service")
                    && s.kind().equals("SERVER")), "customer-service's REST handling is in the trace");
            secretsKept(send, answer);
        }
    }

    /**
     * The bridge's log line about the page connection names its trace, and that trace is the admin's request to
     * customer-service, which called the bridge.
     */
    private static void logLinesCarryTheirTrace(String company) {
        String traceId = await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (var lines = Files.lines(stack.bridge.log())) {
                String line = lines.filter(l -> l.contains("Page " + PAGE + " connected to company " + company)).findFirst()
                        .orElse(null);
                return line == null ? null : JSON.readTree(line).at("/mdc/traceId").asText(null);
            }
        }, id -> id != null);
        // each service exports on its own schedule: the bridge's span can come before customer-service's root
        List<Collected> trace = await().atMost(Duration.ofSeconds(20)).until(() -> stack.traces.trace(traceId),
                t -> t.stream().anyMatch(s -> s.service().equals("messenger-bridge") && s.kind().equals("SERVER"))
                        && t.stream().anyMatch(Collected::root) && parentsArrived(t));
        Collected root = connected(trace);
        assertEquals("customer-service", root.service());
        assertEquals("POST /api/admin/pages", root.name());
        secretsKept(trace, PAGE_TOKEN);
    }

    /**
     * The trace once {@code complete} and every span's parent in it (each service exports its spans on its own
     * schedule, so a child can arrive before its parent); failing, the test names every span collected for the
     * customer, in any trace.
     */
    private static List<Collected> awaitTrace(String traceId, Predicate<List<Collected>> complete, String customer) {
        try {
            return await().atMost(Duration.ofSeconds(20)).until(() -> stack.traces.trace(traceId),
                    trace -> complete.test(trace) && parentsArrived(trace));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("trace " + traceId + " incomplete: " + stack.traces.trace(traceId).stream()
                    .map(s -> s.service() + " " + s.name()).toList() + "; the customer's spans: " + stack.traces.spans().stream()
                            .filter(s -> s.attributes().containsValue(customer))
                            .map(s -> s.traceId() + " " + s.service() + " " + s.name() + " " + s.attributes()).toList(), e);
        }
    }

    /** The trace id of the first collected span that matches, once it is exported. */
    private static String traceOf(Predicate<Collected> match) {
        return await().atMost(Duration.ofSeconds(20)).until(
                () -> stack.traces.spans().stream().filter(match).map(Collected::traceId).findFirst().orElse(null),
                id -> id != null);
    }

    private static boolean parentsArrived(List<Collected> trace) {
        Set<String> ids = trace.stream().map(Collected::spanId).collect(Collectors.toSet());
        return trace.stream().allMatch(span -> span.root() || ids.contains(span.parentSpanId()));
    }

    /** The trace's one root, after checking that every other span's parent is in the trace. */
    private static Collected connected(List<Collected> trace) {
        Set<String> ids = trace.stream().map(Collected::spanId).collect(Collectors.toSet());
        List<Collected> roots = trace.stream().filter(Collected::root).toList();
        assertEquals(1, roots.size(), "one root: " + roots);
        for (Collected span : trace) {
            assertTrue(span.root() || ids.contains(span.parentSpanId()), "parent of " + span + " is in the trace");
        }
        return roots.get(0);
    }

    /** The span and its ancestors, nearest first. */
    private static List<Collected> ancestry(List<Collected> trace, Collected span) {
        Map<String, Collected> byId = trace.stream().collect(Collectors.toMap(Collected::spanId, Function.identity()));
        List<Collected> line = new ArrayList<>();
        for (Collected at = span; at != null; at = byId.get(at.parentSpanId())) {
            line.add(at);
        }
        return line;
    }

    /** No span says what the customer or the agent wrote, or a page's token. */
    private static void secretsKept(List<Collected> trace, String text) {
        for (Collected span : trace) {
            for (String value : span.attributes().values()) {
                assertFalse(value.contains(text) || value.contains(PAGE_TOKEN), span.name() + " carries " + value);
            }
        }
    }

    private static void print(String title, List<Collected> trace) {
        System.out.println("Trace " + title + " (" + trace.get(0).traceId() + "):");
        trace.stream().sorted(Comparator.comparingLong(Collected::startNanos)).forEach(s -> System.out.printf(
                "  %-17s %-8s %-45s %8.2f ms%n", s.service(), s.kind(), s.name(), s.millis()));
    }
}
