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

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;

/**
 * The whole story on the three packaged services, one broker and one wire server, with WireMock as Facebook:
 * a customer writes, asks for a human, agents on both protocols see it, two race and one wins, the winner
 * writes and Facebook receives it, the customer answers, the agent releases, the customer is back with the bot.
 */
class HandoverStoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PAGE = "7" + (System.nanoTime() % 1_000_000_000L);
    private static final String PAGE_TOKEN = "page-token-" + UUID.randomUUID();

    private static MessengerStack stack;

    @BeforeAll
    static void start() {
        stack = MessengerStack.shared();
        stack.facebook.stubFor(get(urlPathMatching("/v25.0/psid-.*")).willReturn(okJson("{\"first_name\":\"Maria\",\"last_name\":\"Rossi\"}")));
        stack.facebook.stubFor(post(urlPathEqualTo("/v25.0/" + PAGE + "/messages"))
                .willReturn(okJson("{\"recipient_id\":\"x\",\"message_id\":\"m_fb_story\"}")));
        stack.pageToken(PAGE, PAGE_TOKEN, "Story Shop");
    }

    @Test
    void aCustomerIsHandedToOneAgentAndBackToTheBot() throws Exception {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        given().baseUri(stack.customerService.url()).auth().oauth2(TestTokens.admin("boss", company))
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"" + PAGE_TOKEN + "\"}")
                .post("/api/admin/pages").then().statusCode(201).body("page_name", org.hamcrest.Matchers.equalTo("Story Shop"));

        try (var alice = AgentSocket.connect(stack.ws(), TestTokens.agent("alice", company), null);
                var console = new SocketIoDriver()) {
            alice.next("connected");
            ObjectNode options = JSON.createObjectNode();
            options.putObject("auth").put("token", TestTokens.agent("bob", company));
            console.connect("bob", stack.gateway.url(), options);
            console.next("bob", "connect");

            stack.customerWrites(PAGE, customer, "Hello, where is my order?");
            assertEquals("Hello, where is my order?", alice.next("new_message").at("/data/message").asText());

            stack.customerWrites(PAGE, customer, "I want to talk to a real person");
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
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> stack.facebook.verify(1,
                    postRequestedFor(urlPathEqualTo("/v25.0/" + PAGE + "/messages"))
                            .withQueryParam("access_token", equalTo(PAGE_TOKEN))
                            .withRequestBody(matchingJsonPath("$.messaging_type", equalTo("RESPONSE")))
                            .withRequestBody(matchingJsonPath("$.recipient.id", equalTo(customer)))
                            .withRequestBody(matchingJsonPath("$.message.text", equalTo(text)))));
            // the send's outcome reaches both protocols live
            JsonNode status = alice.next("message_status_changed");
            assertEquals("sent", status.at("/data/status").asText());
            assertEquals(customer, status.at("/data/chat_id").asText());
            JsonNode update = console.next("bob", e -> "message:update".equals(e.path("event").asText()));
            assertEquals("sent", update.get("args").get(0).path("status").asText());
            assertEquals(status.at("/data/message_id").asText(), update.get("args").get(0).path("messageId").asText());

            stack.customerWrites(PAGE, customer, "Great, thank you!");
            assertEquals("Great, thank you!", alice.next(f -> "new_message".equals(f.path("type").asText())
                    && "Great, thank you!".equals(f.at("/data/message").asText())).at("/data/message").asText());
            JsonNode answer = console.next("bob", e -> "message:new".equals(e.path("event").asText())
                    && "Great, thank you!".equals(e.get("args").get(0).at("/message/text").asText()));
            assertTrue(answer.get("args").get(0).at("/message/isCustomer").asBoolean());

            if (aliceWon) {
                alice.send("{\"type\":\"unassign_agent\",\"data\":{\"customer_id\":\"" + customer + "\",\"page_id\":\"" + PAGE + "\"}}");
                alice.next("agent_unassigned");
                given().baseUri(stack.customerService.url()).auth().oauth2(TestTokens.agent("alice", company))
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
}
