package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * A page whose bot speaks Messenger's handover protocol: Handover takes the conversation when the customer asks it
 * for a human, passes it back to the bot with a note, follows what the bot passes, takes back or asks for, and keeps
 * what the customer said in standby as history without acting on it.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class HandoverProtocolTest {

    private static final String BOT = "1000000000000002";
    private static final String HANDOVER_APP = "1000000000000001";
    private static final String CUSTOMERS = "/api/dashboard/customers/";

    KafkaCompanion companion;

    Fixtures fx;
    String page;
    String alice;
    ConsumerTask<String, byte[]> outbound;
    ConsumerTask<String, byte[]> events;

    @BeforeEach
    void protocolPage() {
        fx = new Fixtures(companion);
        page = fx.page();
        alice = fx.agentToken("alice");
        as(fx.adminToken).body("{\"handover_mode\":\"protocol\",\"bot_app_id\":\"" + BOT + "\"}")
                .put("/api/admin/pages/" + page).then().statusCode(200).body("handover_mode", equalTo("protocol"))
                .body("bot_app_id", equalTo(BOT));
        outbound = companion.consume(String.class, byte[].class).withGroupId(Fixtures.id("out"))
                .fromTopics(Topics.MESSENGER_OUTBOUND);
        events = fx.events();
    }

    @AfterEach
    void close() {
        outbound.close();
        events.close();
    }

    @Test
    void anAdminSetsTheModeAndBadValuesAreRefused() {
        as(fx.adminToken).body("{\"handover_mode\":\"telepathy\"}").put("/api/admin/pages/" + page).then().statusCode(400)
                .body("error", equalTo("handover_mode must be flag or protocol"));
        as(fx.adminToken).body("{\"bot_app_id\":\"the-bot\"}").put("/api/admin/pages/" + page).then().statusCode(400)
                .body("error", equalTo("bot_app_id must be the bot's numeric Facebook app id"));
        String other = fx.page();
        as(fx.adminToken).body("{\"handover_mode\":\"protocol\"}").put("/api/admin/pages/" + other).then().statusCode(400)
                .body("error", equalTo("bot_app_id is required for handover_mode protocol"));
        as(alice).body("{\"handover_mode\":\"flag\"}").put("/api/admin/pages/" + page).then().statusCode(403);
        var rival = new Fixtures(companion);
        as(rival.adminToken).body("{\"handover_mode\":\"flag\"}").put("/api/admin/pages/" + page).then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(fx.adminToken).get("/api/admin/pages/" + page + "/audit").then()
                .body("entries.find { it.action == 'page_handover_changed' }.after.handover_mode", equalTo("protocol"));
        as(alice).get("/api/dashboard/pages").then().body("find { it.page_id == '" + page + "' }.handover_mode",
                equalTo("protocol"));
    }

    @Test
    void handoverTakesTheConversationWhenAskedAndPassesItBackWithANote() {
        String customer = Fixtures.id("psid");
        // in standby (the bot owns the conversation) a request for a human is the bot's business
        fx.publish(standby(customer, "I want to talk to a human"));
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).queryParam("page_id", page)
                .get(CUSTOMERS + customer + "/messages").then().statusCode(200)
                .body("messages[0].standby", equalTo(true)).body("messages[0].text", equalTo("I want to talk to a human")));
        as(alice).get(CUSTOMERS + "lookup/" + customer).then().statusCode(200).body("stop", equalTo(false));
        // the bot's answer, seen on the standby channel, is history marked standby too
        String echo = Fixtures.id("m");
        fx.publish(new InboundEvent(echo, InboundKind.ECHO, page, customer, Instant.now().truncatedTo(ChronoUnit.MILLIS), echo,
                "I am the bot, how can I help?", null, null, null, null, 4242L, null, null, null, null, null).asStandby());
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).queryParam("page_id", page)
                .get(CUSTOMERS + customer + "/messages").then().statusCode(200)
                .body("messages.find { it.text == 'I am the bot, how can I help?' }.standby", equalTo(true))
                .body("messages.find { it.text == 'I am the bot, how can I help?' }.author", equalTo("bot")));
        as(alice).get(CUSTOMERS + "lookup/" + customer).then().statusCode(200).body("stop", equalTo(false));

        // said to Handover itself: Handover takes the conversation before anything else goes out
        fx.customerWrites(page, customer, "Can I talk to a human?");
        OutboundMessage take = await().atMost(Fixtures.WAIT).until(() -> sent(customer), l -> !l.isEmpty()).get(0);
        assertEquals(OutboundKind.TAKE_THREAD_CONTROL, take.kind());
        assertEquals("handover:customer_asked", take.metadata());
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        // released to the queue, the customer stays with Handover: no thread-control call (the next ones are
        // recorded in order, so a pass here would come before the one below)
        as(alice).body(body()).post(CUSTOMERS + customer + "/unassign").then().statusCode(200);
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(alice).body("{\"page_id\":\"" + page + "\",\"stop\":false}").put(CUSTOMERS + customer + "/stop").then()
                .statusCode(200);
        OutboundMessage pass = await().atMost(Fixtures.WAIT).until(() -> sent(customer), l -> l.size() >= 2).get(1);
        assertEquals(OutboundKind.PASS_THREAD_CONTROL, pass.kind());
        assertEquals(BOT, pass.targetAppId());
        assertEquals("handover:back_to_bot", pass.metadata());
        assertEquals(2, sent(customer).size());
    }

    @Test
    void whatTheBotPassesTakesBackOrAsksForIsFollowedAndBroadcast() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        await().atMost(Fixtures.WAIT).until(() -> !fx.eventsOf(events, CustomerEventType.NEW_MESSAGE, customer).isEmpty());
        fx.publish(handover(customer, "pass_thread_control", HANDOVER_APP, BOT, 1));
        fx.publish(handover(customer, "pass_thread_control", HANDOVER_APP, BOT, 1)); // redelivered
        CustomerEvent requested = fx.awaitEvents(events, CustomerEventType.AGENT_REQUESTED, customer, 1).get(0);
        assertEquals(Integer.valueOf(1), requested.queuePosition());
        assertEquals("bot_passed", fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 1).get(0)
                .reason());
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);

        // an assigned customer stays with the agent when the bot asks; taken back, the agent is released
        fx.publish(handover(customer, "request_thread_control", BOT, null, 2));
        fx.publish(handover(customer, "take_thread_control", BOT, HANDOVER_APP, 3));
        List<CustomerEvent> stops = fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 2);
        assertEquals("bot_took_back", stops.get(1).reason());
        assertEquals(Boolean.FALSE, stops.get(1).stop());
        CustomerEvent released = fx.eventsOf(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer).stream()
                .filter(e -> "unassigned".equals(e.action())).findFirst().orElseThrow();
        assertEquals("bot_took_back", released.reason());
        fx.awaitAudit(page, customer, "entries.find { it.reason == 'the page\\'s bot took the conversation back' }.actor.type",
                "bot");

        // waiting again, nobody has taken them: the bot's request is granted, and passed back with a note
        fx.publish(handover(customer, "pass_thread_control", HANDOVER_APP, BOT, 4));
        fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 3);
        fx.publish(handover(customer, "request_thread_control", BOT, null, 5));
        List<CustomerEvent> all = fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 4);
        assertEquals(List.of("bot_passed", "bot_took_back", "bot_passed", "bot_requested"),
                all.stream().map(CustomerEvent::reason).toList());
        // Handover took nothing (the bot passed it) and passed only what the bot asked for
        await().atMost(Fixtures.WAIT).until(() -> sent(customer), l -> !l.isEmpty());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sent(customer).size() == 1);
        OutboundMessage pass = sent(customer).get(0);
        assertEquals(OutboundKind.PASS_THREAD_CONTROL, pass.kind());
        assertEquals("handover:bot_requested", pass.metadata());
    }

    @Test
    void aPageInFlagModeIgnoresThreadControl() {
        as(fx.adminToken).body("{\"handover_mode\":\"flag\"}").put("/api/admin/pages/" + page).then().statusCode(200);
        String customer = Fixtures.id("psid");
        fx.publish(handover(customer, "pass_thread_control", HANDOVER_APP, BOT, 1));
        fx.customerWrites(page, customer, "I want to talk to a human");
        fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer, 1);
        assertEquals(List.of("customer_asked"), fx.eventsOf(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, customer)
                .stream().map(CustomerEvent::reason).toList());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> sent(customer).isEmpty());
        assertTrue(sent(customer).isEmpty());
    }

    private List<OutboundMessage> sent(String customer) {
        return outbound.getRecords().stream().filter(r -> Topics.conversationKey(page, customer).equals(r.key()))
                .map(ConsumerRecord::value).map(v -> new OutboundMessage.Deserializer().deserialize("t", v)).toList();
    }

    private InboundEvent standby(String customer, String text) {
        String mid = Fixtures.id("m");
        return new InboundEvent(mid, InboundKind.MESSAGE, page, customer, Instant.now().truncatedTo(ChronoUnit.MILLIS), mid,
                text, null, null, null, null, null, null, null, null, "Jane", "Roe").asStandby();
    }

    private InboundEvent handover(String customer, String action, String newOwner, String previousOwner, int n) {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return new InboundEvent("handover:" + action + ":" + page + ":" + customer + ":" + n, InboundKind.HANDOVER, page,
                customer, at, null, null, null, null, null, null, null, "note " + n, null, null, null, null, null, null, null,
                null, null, action, newOwner, previousOwner);
    }

    private String body() {
        return "{\"page_id\":\"" + page + "\"}";
    }
}
