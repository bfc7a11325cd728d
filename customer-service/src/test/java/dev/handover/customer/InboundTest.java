package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;

import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import dev.handover.customer.config.MongoIndexes;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.service.CustomerChanged;
import dev.handover.customer.service.InboundService;
import dev.handover.customer.service.Outbox;
import dev.handover.events.Attachment;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.events.JsonSerializer;
import dev.handover.events.MessageAuthor;
import dev.handover.events.MessageDelivery;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** What arrives on {@code messenger.inbound} and {@code messenger.delivery}, redeliveries included. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class InboundTest {

    private static final String CUSTOMERS = "/api/dashboard/customers";

    KafkaCompanion companion;

    @Inject
    CustomerRepository customers;

    @Inject
    MongoIndexes indexes;

    @Inject
    InboundService inbound;

    @Inject
    MessageRepository messages;

    @Inject
    Event<CustomerChanged> changed;
    Fixtures fx;
    String page;
    String agent;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
        agent = TestTokens.agent("alice", fx.company);
    }

    @Test
    void aRedeliveredMessageChangesNothing() {
        String customer = Fixtures.id("psid");
        var events = fx.events();
        InboundEvent first = fx.customerWrites(page, customer, "hello");
        fx.publish(first);
        InboundEvent second = fx.customerWrites(page, customer, "anyone there?");
        fx.publish(first);
        fx.publish(second);
        await().atMost(Fixtures.WAIT).until(() -> fx.eventsOf(events, CustomerEventType.NEW_MESSAGE, customer).size() >= 2);
        // a marker written after the redeliveries: once it is in, every redelivery has been consumed
        fx.customerWrites(page, customer, "marker");
        fx.awaitEvents(events, CustomerEventType.NEW_MESSAGE, customer, 3);
        assertEquals(List.of("hello", "anyone there?", "marker"), fx.eventsOf(events, CustomerEventType.NEW_MESSAGE,
                customer).stream().map(e -> e.message().text()).toList());
        as(agent).queryParam("page_id", page).get(CUSTOMERS).then()
                .body("customers[0].message_count", equalTo(3))
                .body("customers[0].last_message", equalTo("marker"));
        as(agent).queryParam("page_id", page).get(CUSTOMERS + "/" + customer + "/messages").then()
                .body("messages", hasSize(3));
        events.close();
    }

    @Test
    void askingForAHumanStopsTheBotOnceInAnyConfiguredLanguage() {
        var events = fx.events();
        String english = Fixtures.id("psid");
        fx.customerWrites(page, english, "Can I talk to a REAL PERSON?");
        fx.customerWrites(page, english, "hello? human?");
        String none = Fixtures.id("psid");
        fx.customerWrites(page, none, "my agenda is full");

        CustomerEvent requested = fx.awaitEvents(events, CustomerEventType.AGENT_REQUESTED, english, 1).get(0);
        // second in the queue: asked after the first was queued (conversations on other partitions run in parallel)
        String spanish = Fixtures.id("psid");
        fx.customerWrites(page, spanish, "Quiero hablar con un humano");
        assertEquals("Can I talk to a REAL PERSON?", requested.message().text());
        assertEquals(MessageAuthor.CUSTOMER, requested.message().author());
        assertEquals("Jane Roe", requested.customer().customerName());
        assertEquals(true, requested.customer().stop());
        assertEquals(1, requested.queuePosition(), "the first of a new company's queue");
        CustomerEvent stop = fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, english, 1).get(0);
        assertEquals(Boolean.TRUE, stop.stop());
        assertEquals(List.of(CustomerEventType.NEW_MESSAGE, CustomerEventType.AGENT_REQUESTED,
                CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED), fx.typesOf(events, english).subList(0, 3));
        assertEquals(2, fx.awaitEvents(events, CustomerEventType.AGENT_REQUESTED, spanish, 1).get(0).queuePosition());
        fx.awaitEvents(events, CustomerEventType.NEW_MESSAGE, none, 1);
        fx.awaitEvents(events, CustomerEventType.NEW_MESSAGE, english, 2);
        assertEquals(1, fx.eventsOf(events, CustomerEventType.AGENT_REQUESTED, english).size());
        as(agent).queryParam("page_id", page).get(CUSTOMERS + "/stopped").then()
                .body("customers.customer_id", org.hamcrest.Matchers.containsInAnyOrder(english, spanish))
                .body("customers[0].time_since_last_conversation", equalTo("just now"))
                .body("customers[0].minutes_since_last_conversation", equalTo(0))
                .body("pagination.total", equalTo(2))
                .body("pagination.skip", equalTo(0))
                .body("pagination.has_more", equalTo(false))
                .body("page_id", equalTo(page));
        events.close();
    }

    @Test
    void postbacksAndQuickRepliesAskForAHumanAndForTheBot() {
        var events = fx.events();
        String byButton = Fixtures.id("psid");
        fx.publish(event(InboundKind.POSTBACK, byButton, null, null, "Talk to a person", "HUMAN_AGENT"));
        String byQuickReply = Fixtures.id("psid");
        fx.publish(event(InboundKind.MESSAGE, byQuickReply, "Yes", "HUMAN_AGENT", null, null));
        fx.awaitEvents(events, CustomerEventType.AGENT_REQUESTED, byButton, 1);
        fx.awaitEvents(events, CustomerEventType.AGENT_REQUESTED, byQuickReply, 1);

        as(agent).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + "/" + byButton + "/assign").then().statusCode(200);
        fx.publish(event(InboundKind.POSTBACK, byButton, null, null, "Back to the bot", "BACK_TO_BOT"));
        CustomerEvent back = fx.awaitEvents(events, CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, byButton, 2).get(1);
        assertEquals(Boolean.FALSE, back.stop());
        assertEquals(null, back.customer().agentId());
        assertEquals("unassigned", fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, byButton, 2).get(1)
                .action());
        events.close();
    }

    @Test
    void attachmentsEchoesDeliveriesReadsAndDeliveryReportsReachTheHistory() {
        var events = fx.events();
        String customer = fx.waitingCustomer(page);
        var image = new InboundEvent(Fixtures.id("m"), InboundKind.MESSAGE, page, customer, now(), null, null,
                List.of(new Attachment("image", "https://example.com/cat.png")), null, null, null, null, null, null,
                null, null, null);
        fx.publish(new InboundEvent(image.eventId(), image.kind(), page, customer, now(), image.eventId(), null,
                image.attachments(), null, null, null, null, null, null, null, null, null));
        String sent = as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"first\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("message_id");
        String failed = as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"second\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("message_id");
        report(new DeliveryReport(sent, page, customer, DeliveryStatus.SENT, "m_fb_1", null, null, null, false, 1, now()));
        report(new DeliveryReport(failed, page, customer, DeliveryStatus.FAILED, null, 551, null,
                "This person isn't available right now", false, 1, now()));
        awaitStatus(customer, sent, "sent");
        awaitStatus(customer, failed, "failed");
        // agents see the photo live: the new_message event carries what the webhook did
        ChatMessage live = await().atMost(Fixtures.WAIT).until(() -> fx.eventsOf(events, CustomerEventType.NEW_MESSAGE,
                customer).stream().map(CustomerEvent::message).filter(m -> image.eventId().equals(m.mid())).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
        assertEquals(image.attachments(), live.attachments());

        // our own send echoed back is not stored twice; the bot's reply from elsewhere is stored once
        fx.publish(new InboundEvent("m_fb_1", InboundKind.ECHO, page, customer, now(), "m_fb_1", "first", null, null,
                null, null, 1L, sent, null, null, null, null));
        InboundEvent bot = new InboundEvent("m_bot", InboundKind.ECHO, page, customer, now(), Fixtures.id("m_bot"),
                "I am the bot", null, null, null, null, 2L, null, null, null, null, null);
        fx.publish(bot);
        fx.publish(bot);
        fx.publish(new InboundEvent("read-1", InboundKind.READ, page, customer, now(), null, null, null, null, null,
                null, null, null, null, Instant.now().plusSeconds(1), null, null));
        awaitStatus(customer, sent, "read");
        awaitStatus(customer, failed, "failed");
        // the bot's echo reaches the history through the outbox, the read receipt straight away
        var history = await().atMost(Fixtures.WAIT).until(() -> as(agent).queryParam("page_id", page)
                .get(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract(),
                h -> h.<List<String>>path("messages.author").size() == 5);
        assertEquals(List.of("bot", "agent", "agent", "customer", "customer"), history.path("messages.author"));
        assertEquals("image", history.path("messages[3].attachments[0].type"));
        assertEquals("(#551) This person isn't available right now",
                history.path("messages.find { it.id == '" + failed + "' }.error"));
        assertEquals("m_fb_1", history.path("messages.find { it.id == '" + sent + "' }.mid"));

        // every status change reached the company's agents, once
        List<MessageDelivery> changes = await().atMost(Fixtures.WAIT).until(() -> fx.eventsOf(events,
                CustomerEventType.MESSAGE_STATUS_CHANGED, customer).stream().map(CustomerEvent::delivery)
                .filter(d -> List.of(sent, failed).contains(d.messageId())).toList(), l -> l.size() >= 3);
        assertEquals(List.of(new MessageDelivery(sent, "sent", null, null),
                new MessageDelivery(failed, "failed", "(#551) This person isn't available right now", 551),
                new MessageDelivery(sent, "read", null, null)), changes);
        events.close();
    }

    @Test
    void recordsForUnknownPagesOrNotParsableAreSkippedAndConsumptionGoesOn() {
        fx.customerWrites("no-such-page", "psid-x", "hello");
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_INBOUND, "k",
                "{not json".getBytes())).awaitCompletion(Fixtures.WAIT);
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "after the bad ones");
        await().atMost(Fixtures.WAIT).until(() -> as(agent).queryParam("page_id", page).get(CUSTOMERS).then().extract()
                .<List<String>>path("customers.customer_id").contains(customer));
    }

    @Test
    void editsReactionsRepliesLocationsReferralsAndThePageInboxAreKept() {
        String customer = fx.waitingCustomer(page);
        String first = Fixtures.id("m");
        fx.publish(new InboundEvent(first, InboundKind.MESSAGE, page, customer, now(), first, "blue please", null, null,
                null, null, null, null, null, null, null, null));
        String located = Fixtures.id("m");
        fx.publish(new InboundEvent(located, InboundKind.MESSAGE, page, customer, now(), located, null,
                List.of(new Attachment("location", null, "Home", 45.46, 9.19)), null, null, null, null, null, null, null,
                null, null, first, null, null, null));
        fx.publish(new InboundEvent("edit:" + first, InboundKind.EDIT, page, customer, now(), first, "red please", null,
                null, null, null, null, null, null, null, null, null));
        fx.publish(new InboundEvent("reaction:" + first, InboundKind.REACTION, page, customer, now(), first, null, null,
                null, null, null, null, null, null, null, null, null, null, "\u2764", null, null));
        fx.publish(new InboundEvent("referral:" + customer, InboundKind.REFERRAL, page, customer, now(), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, "SPRING_SALE", "ADS"));
        String inbox = Fixtures.id("m_inbox");
        fx.publish(new InboundEvent(inbox, InboundKind.ECHO, page, customer, now(), inbox, "A person from the shop here",
                null, null, null, null, 263902037430900L, null, null, null, null, null));
        await().atMost(Fixtures.WAIT).until(() -> as(agent).queryParam("page_id", page)
                .get(CUSTOMERS + "/" + customer + "/messages").then().extract()
                .<List<String>>path("messages.author").contains("human"));
        await().atMost(Fixtures.WAIT).until(() -> "\u2764".equals(as(agent).queryParam("page_id", page)
                .get(CUSTOMERS + "/" + customer + "/messages").then().extract()
                .path("messages.find { it.id == '" + first + "' }.reaction")));
        var history = as(agent).queryParam("page_id", page).get(CUSTOMERS + "/" + customer + "/messages").then()
                .statusCode(200).extract();
        assertEquals("red please", history.path("messages.find { it.id == '" + first + "' }.text"));
        assertTrue(history.<String>path("messages.find { it.id == '" + first + "' }.edited_at") != null);
        assertEquals(first, history.path("messages.find { it.id == '" + located + "' }.reply_to"));
        assertEquals(45.46f, history.<Float>path("messages.find { it.id == '" + located + "' }.attachments[0].latitude"));
        assertEquals("A person from the shop here", history.path("messages.find { it.author == 'human' }.text"));
        await().atMost(Fixtures.WAIT).until(() -> "SPRING_SALE".equals(customers.findById(
                Customer.key(page, customer)).referralRef));
    }

    @Test
    void aMessageThatNeverGetsAnOutcomeIsFailedByItsDeadlineAndTheAgentsAreTold() {
        var events = fx.events();
        String customer = fx.waitingCustomer(page);
        String lost = as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"into the void\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("message_id");
        // no messenger-bridge answers in this profile: the outcome timeout (6 s here) decides
        awaitStatus(customer, lost, "failed");
        CustomerEvent failed = fx.awaitEvents(events, CustomerEventType.MESSAGE_STATUS_CHANGED, customer, 1).get(0);
        assertEquals(new MessageDelivery(lost, "failed", "No outcome from messenger-bridge within 6 s", null),
                failed.delivery());
        // an outcome that still arrives wins
        report(new DeliveryReport(lost, page, customer, DeliveryStatus.SENT, "m_fb_late", null, null, null, false, 1, now()));
        awaitStatus(customer, lost, "sent");
        events.close();
    }

    /**
     * A customer's message reaches the history through their outbox, a few milliseconds after the write that accepted
     * it: an edit that arrives in between fails its attempt (the consumer tries again), and applies once the message
     * is stored; an edit of a message nobody knows is ignored.
     */
    @Test
    void anEditOfAMessageStillInItsOutboxWaitsForItAndOneOfAnUnknownMessageIsIgnored() {
        String customer = Fixtures.id("psid");
        String mid = Fixtures.id("m");
        String key = Customer.key(page, customer);
        // stored with its outbox, not delivered yet (nobody is told of the change)
        customers.change(key, () -> {
            Customer fresh = new Customer();
            fresh.id = key;
            fresh.customerId = customer;
            fresh.pageId = page;
            fresh.companyId = fx.company;
            return fresh;
        }, c -> {
            Message said = new Message();
            said.id = mid;
            said.companyId = fx.company;
            said.pageId = page;
            said.customerId = customer;
            said.direction = Message.INBOUND;
            said.text = "blue please";
            said.createdAt = now();
            Outbox.message(c, said);
            return new CustomerRepository.Decision.Write<>(null);
        });
        InboundEvent edit = new InboundEvent("edit:" + mid, InboundKind.EDIT, page, customer, now(), mid, "red please",
                null, null, null, null, null, null, null, null, null, null);
        assertThrows(IllegalStateException.class, () -> inbound.handle(edit));

        changed.fire(new CustomerChanged(key));
        await().atMost(Fixtures.WAIT).until(() -> messages.findById(mid) != null);
        inbound.handle(edit);
        assertEquals("red please", messages.findById(mid).text);
        inbound.handle(new InboundEvent("edit:unknown", InboundKind.EDIT, page, customer, now(), Fixtures.id("m"),
                "nothing to edit", null, null, null, null, null, null, null, null, null, null));
    }

    /** A send waiting in the collection of earlier versions ({@code pending_sends}) keeps its deadline after an upgrade. */
    @Test
    void aSendWaitingInTheRetiredCollectionKeepsItsDeadline() {
        String customer = fx.waitingCustomer(page);
        String waiting = as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"sent before the upgrade\"}")
                .post(CUSTOMERS + "/" + customer + "/messages").then().statusCode(200).extract().path("message_id");
        var database = customers.mongoDatabase();
        database.getCollection("messages").updateOne(Filters.eq("_id", waiting), Updates.unset("send_due_at"));
        database.getCollection("pending_sends").insertOne(new Document("_id", waiting).append("page_id", page)
                .append("customer_id", customer).append("due_at", Date.from(Instant.now().minusSeconds(1))));

        indexes.ensure();

        awaitStatus(customer, waiting, "failed");
        assertFalse(database.listCollectionNames().into(new java.util.ArrayList<>()).contains("pending_sends"));
    }

    private InboundEvent event(InboundKind kind, String customer, String text, String quickReply, String title,
            String payload) {
        String mid = Fixtures.id("m");
        return new InboundEvent(mid, kind, page, customer, now(), mid, text, null, quickReply, title, payload, null,
                null, null, null, "Jo", null);
    }

    private void report(DeliveryReport report) {
        companion.produce(String.class, byte[].class).fromRecords(new ProducerRecord<>(Topics.MESSENGER_DELIVERY,
                Topics.conversationKey(page, report.customerId()), new JsonSerializer().serialize("t", report)))
                .awaitCompletion(Fixtures.WAIT);
    }

    private void awaitStatus(String customer, String messageId, String status) {
        await().atMost(Fixtures.WAIT).until(() -> status.equals(as(agent).queryParam("page_id", page)
                .get(CUSTOMERS + "/" + customer + "/messages").then().extract()
                .path("messages.find { it.id == '" + messageId + "' }.status")));
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
