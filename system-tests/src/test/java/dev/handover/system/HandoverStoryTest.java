package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.ServiceProcess;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;

/**
 * The whole story on the three packaged services, one broker and one wire server, with WireMock as Facebook:
 * a customer writes, asks for a human, agents on both protocols see it, two race and one wins, the winner
 * writes and Facebook receives it, the customer answers, the agent releases, the customer is back with the bot.
 */
class HandoverStoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "story-app-secret";
    private static final String PAGE = "7" + (System.nanoTime() % 1_000_000_000L);
    private static final String PAGE_TOKEN = "page-token-" + UUID.randomUUID();

    private static WireMockServer facebook;
    private static ServiceProcess bridge;
    private static ServiceProcess customerService;
    private static ServiceProcess gateway;

    @BeforeAll
    static void start() {
        facebook = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        facebook.start();
        facebook.stubFor(get(urlPathMatching("/v25.0/psid-.*")).willReturn(okJson("{\"first_name\":\"Maria\",\"last_name\":\"Rossi\"}")));
        facebook.stubFor(post(urlPathEqualTo("/v25.0/" + PAGE + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"x\",\"message_id\":\"m_fb_story\"}")));
        facebook.stubFor(get(urlPathEqualTo("/v25.0/me")).withQueryParam("access_token", equalTo(PAGE_TOKEN))
                .willReturn(okJson("{\"id\":\"" + PAGE + "\",\"name\":\"Story Shop\"}")));
        bridge = TestInfrastructure.start("messenger-bridge", Map.of("MESSENGER_APP_SECRET", SECRET,
                "MESSENGER_VERIFY_TOKEN", "story-verify", "MESSENGER_GRAPH_BASE_URL", facebook.baseUrl()));
        customerService = TestInfrastructure.start("customer-service", Map.of("MESSENGER_BRIDGE_URL", bridge.url()));
        gateway = TestInfrastructure.start("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL", customerService.url(),
                "GATEWAY_INSTANCE", "story-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        customerService.close();
        bridge.close();
        facebook.stop();
    }

    @Test
    void aCustomerIsHandedToOneAgentAndBackToTheBot() throws Exception {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(customerService.url()).auth().oauth2(TestTokens.admin("boss", company))
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"" + PAGE_TOKEN + "\"}")
                .post("/api/admin/pages").then().statusCode(201).body("page_name", org.hamcrest.Matchers.equalTo("Story Shop"));

        try (var alice = AgentSocket.connect("ws://127.0.0.1:" + gateway.port(), TestTokens.agent("alice", company), null);
                var console = new SocketIoDriver()) {
            alice.next("connected");
            ObjectNode options = JSON.createObjectNode();
            options.putObject("auth").put("token", TestTokens.agent("bob", company));
            console.connect("bob", gateway.url(), options);
            console.next("bob", "connect");

            customerWrites(customer, "Hello, where is my order?", 1000);
            assertEquals("Hello, where is my order?", alice.next("new_message").at("/data/message").asText());

            customerWrites(customer, "I want to talk to a real person", 2000);
            JsonNode requested = alice.next("agent_requested");
            assertEquals(customer, requested.at("/data/chat_id").asText());
            assertEquals("Maria Rossi", requested.at("/data/customer_name").asText());
            JsonNode waiting = console.next("bob", "customer:new").get("args").get(0).get("customer");
            assertEquals(customer, waiting.get("id").asText());
            assertEquals("Maria Rossi", waiting.get("name").asText());

            CompletableFuture<JsonNode> bobTries = CompletableFuture.supplyAsync(() -> console.emitWithAck("bob",
                    "customer:accept", JSON.createObjectNode().put("customerId", customer).put("staffId", "bob")));
            alice.send("{\"type\":\"assign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE + "\"}}");
            JsonNode aliceAnswer = alice.next(f -> f.path("type").asText().equals("agent_assigned")
                    || f.path("type").asText().equals("error"));
            boolean aliceWon = "agent_assigned".equals(aliceAnswer.get("type").asText());
            boolean bobWon = bobTries.get().get("ok").asBoolean();
            assertTrue(aliceWon ^ bobWon, "exactly one agent wins: " + aliceAnswer + " / " + bobTries.get());

            String text = "Hi Maria, your order ships today.";
            if (aliceWon) {
                alice.send("{\"type\":\"send_message\",\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE
                        + "\",\"message\":\"" + text + "\"}");
                alice.next("message_sent");
            } else {
                assertTrue(console.emitWithAck("bob", "message:send", JSON.createObjectNode().put("customerId", customer)
                        .put("staffId", "bob").put("text", text)).get("ok").asBoolean());
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> facebook.verify(1,
                    postRequestedFor(urlPathEqualTo("/v25.0/" + PAGE + "/messages"))
                            .withQueryParam("access_token", equalTo(PAGE_TOKEN))
                            .withRequestBody(matchingJsonPath("$.messaging_type", equalTo("RESPONSE")))
                            .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(customer)))
                            .withRequestBody(matchingJsonPath("$.message.text", equalTo(text)))));

            customerWrites(customer, "Great, thank you!", 3000);
            assertEquals("Great, thank you!", alice.next(f -> "new_message".equals(f.path("type").asText())
                    && "Great, thank you!".equals(f.at("/data/message").asText())).at("/data/message").asText());
            JsonNode answer = console.next("bob", e -> "message:new".equals(e.path("event").asText())
                    && "Great, thank you!".equals(e.get("args").get(0).at("/message/text").asText()));
            assertTrue(answer.get("args").get(0).at("/message/isCustomer").asBoolean());

            if (aliceWon) {
                alice.send("{\"type\":\"unassign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE + "\"}}");
                alice.next("agent_unassigned");
                given().baseUri(customerService.url()).auth().oauth2(TestTokens.agent("alice", company))
                        .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"stop\":false}")
                        .put("/api/dashboard/customers/" + customer + "/stop").then().statusCode(200);
            } else {
                assertTrue(console.emitWithAck("bob", "customer:end", JSON.createObjectNode().put("customerId", customer)
                        .put("staffId", "bob")).get("ok").asBoolean());
            }
            JsonNode backToBot = alice.next(f -> "customer_stop_status_changed".equals(f.path("type").asText())
                    && !f.at("/data/stop").asBoolean());
            assertEquals(customer, backToBot.at("/data/customer/customer_id").asText());
            assertTrue(backToBot.at("/data/customer/agent_id").isMissingNode() || backToBot.at("/data/customer/agent_id").isNull());
        }
    }

    private static void customerWrites(String customer, String text, long timestamp) throws Exception {
        byte[] body = ("{\"object\":\"page\",\"entry\":[{\"id\":\"" + PAGE + "\",\"time\":" + timestamp + ",\"messaging\":[{"
                + "\"sender\":{\"id\":\"" + customer + "\"},\"recipient\":{\"id\":\"" + PAGE + "\"},\"timestamp\":"
                + System.currentTimeMillis() + ",\"message\":{\"mid\":\"m-" + UUID.randomUUID() + "\",\"text\":\"" + text
                + "\"}}]}]}").getBytes(StandardCharsets.UTF_8);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        given().baseUri(bridge.url()).contentType(ContentType.JSON)
                .header("X-Hub-Signature-256", "sha256=" + HexFormat.of().formatHex(mac.doFinal(body)))
                .body(body).post("/webhook").then().statusCode(200);
    }
}
