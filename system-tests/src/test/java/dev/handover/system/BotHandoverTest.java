package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;

/**
 * A page whose bot speaks Messenger's handover protocol, played by the sandbox: the bot answers, the customer asks
 * for a person, the bot passes the conversation, an agent chats, hands back, and the bot answers again; another
 * customer is taken from the bot by an agent. The Graph API calls of each flow are printed (README shows them).
 */
class BotHandoverTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String PAGE = "7" + (System.nanoTime() % 1_000_000_000L);
    private static final String BOT = "1000000000000002";
    private static ServiceProcess bridge;
    private static ServiceProcess customerService;
    private static String company;

    @BeforeAll
    static void start() {
        bridge = TestInfrastructure.start("messenger-bridge", Map.of("MESSENGER_APP_SECRET", "handover-local-app-secret",
                "MESSENGER_VERIFY_TOKEN", "bot-verify", "MESSENGER_SANDBOX_ENABLED", "true"));
        customerService = TestInfrastructure.start("customer-service", Map.of("MESSENGER_BRIDGE_URL", bridge.url()));
        company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        as(TestTokens.admin("boss", company)).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"sandbox-page-token-"
                + PAGE + "\"}").post("/api/admin/pages").then().statusCode(201);
        given().baseUri(bridge.url()).put("/sandbox/pages/" + PAGE + "/bot").then().statusCode(200)
                .body("bot_app_id", equalTo(BOT));
        as(TestTokens.admin("boss", company)).body("{\"handover_mode\":\"protocol\",\"bot_app_id\":\"" + BOT + "\"}")
                .put("/api/admin/pages/" + PAGE).then().statusCode(200);
    }

    @AfterAll
    static void stop() {
        customerService.close();
        bridge.close();
    }

    @Test
    void theBotAnswersPassesToAnAgentWhoHandsBackAndTheBotAnswersAgain() {
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        String alice = TestTokens.agent("alice", company);
        writes(customer, "What are your opening hours?");
        awaitHistory(alice, customer, 2);
        JsonPath history = history(alice, customer);
        assertEquals(List.of("bot", "customer"), history.getList("messages.author"));
        assertEquals(Boolean.TRUE, history.get("messages[1].standby"));
        as(alice).get("/api/dashboard/customers/lookup/" + customer).then().body("stop", equalTo(false));

        writes(customer, "Can I talk to a person please?");
        await().atMost(WAIT).untilAsserted(() -> as(alice).get("/api/dashboard/customers/lookup/" + customer).then()
                .body("stop", equalTo(true)));
        as(alice).body("{\"page_id\":\"" + PAGE + "\"}").post("/api/dashboard/customers/" + customer + "/assign").then()
                .statusCode(200);
        as(alice).body("{\"page_id\":\"" + PAGE + "\",\"message\":\"Hi, Alice here. How can I help?\"}")
                .post("/api/dashboard/customers/" + customer + "/messages").then().statusCode(200);
        await().atMost(WAIT).until(() -> received(customer).contains("Hi, Alice here. How can I help?"));
        as(alice).body("{\"page_id\":\"" + PAGE + "\",\"stop\":false}").put("/api/dashboard/customers/" + customer + "/stop")
                .then().statusCode(200);
        await().atMost(WAIT).until(() -> calls(customer).contains("pass_thread_control"));

        // the bot has the conversation again: it answers, and the customer's words reach Handover in standby
        writes(customer, "Thanks! And on Sundays?");
        awaitHistory(alice, customer, 7);
        assertEquals("bot", history(alice, customer).get("messages[0].author"));
        as(alice).get("/api/dashboard/customers/lookup/" + customer).then().body("stop", equalTo(false));
        List<String> flow = calls(customer);
        print(customer, "bot passes, agent hands back");
        assertEquals(List.of("messages", "pass_thread_control"), flow);
    }

    @Test
    void anAgentTakesTheConversationFromTheBotAndGivesItBack() {
        String customer = "psid-" + UUID.randomUUID().toString().substring(0, 8);
        String bob = TestTokens.agent("bob", company);
        writes(customer, "Where is my parcel?");
        awaitHistory(bob, customer, 2);
        as(bob).body("{\"page_id\":\"" + PAGE + "\",\"stop\":true}").put("/api/dashboard/customers/" + customer + "/stop")
                .then().statusCode(200);
        as(bob).body("{\"page_id\":\"" + PAGE + "\",\"message\":\"Bob here, let me check your parcel.\"}")
                .post("/api/dashboard/customers/" + customer + "/messages").then().statusCode(200);
        await().atMost(WAIT).until(() -> received(customer).contains("Bob here, let me check your parcel."));
        as(bob).body("{\"page_id\":\"" + PAGE + "\",\"stop\":false}").put("/api/dashboard/customers/" + customer + "/stop")
                .then().statusCode(200);
        await().atMost(WAIT).until(() -> calls(customer).contains("pass_thread_control"));
        print(customer, "agent takes from the bot, hands back");
        assertEquals(List.of("take_thread_control", "messages", "pass_thread_control"), calls(customer));
    }

    private static RequestSpecification as(String token) {
        return given().baseUri(customerService.url()).auth().oauth2(token).contentType(ContentType.JSON);
    }

    private static void writes(String customer, String text) {
        given().baseUri(bridge.url()).contentType(ContentType.JSON).body(Map.of("text", text, "first_name", "Maria",
                "last_name", "Rossi")).post("/sandbox/pages/" + PAGE + "/customers/" + customer + "/messages").then()
                .statusCode(202);
    }

    private static JsonPath history(String token, String customer) {
        return as(token).queryParam("page_id", PAGE).get("/api/dashboard/customers/" + customer + "/messages").then()
                .statusCode(200).extract().jsonPath();
    }

    private static void awaitHistory(String token, String customer, int size) {
        await().atMost(WAIT).ignoreExceptions().until(() -> history(token, customer).getList("messages").size() >= size);
    }

    private static List<String> received(String customer) {
        return given().baseUri(bridge.url()).get("/sandbox/pages/" + PAGE + "/customers/" + customer + "/messages").then()
                .extract().jsonPath().getList("text");
    }

    private static List<String> calls(String customer) {
        return given().baseUri(bridge.url()).get("/sandbox/pages/" + PAGE + "/customers/" + customer + "/graph").then()
                .extract().jsonPath().getList("call");
    }

    private static void print(String customer, String flow) {
        System.out.println("Graph API calls, " + flow + " (" + customer + "):\n" + given().baseUri(bridge.url())
                .get("/sandbox/pages/" + PAGE + "/customers/" + customer + "/graph").then().extract().body().asPrettyString());
    }
}
