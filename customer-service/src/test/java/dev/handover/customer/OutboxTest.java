package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.hamcrest.Matchers.equalTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.OutboundMessage;
import dev.handover.events.Topics;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** A change made while Kafka is down stands, and its event follows when Kafka is back. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class OutboxTest {

    KafkaCompanion companion;

    @Test
    void anAssignmentMadeWhileTheBrokerIsDownIsPublishedWhenItIsBack() throws Exception {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);

        InfrastructureResource.infrastructure().stopKafka();
        try {
            as(alice).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + customer + "/assign")
                    .then().statusCode(200).body("agent_id", equalTo("alice"));
            as(alice).queryParam("page_id", page).get("/api/dashboard/customers/stopped").then()
                    .body("customers[0].agent_id", equalTo("alice"));
        } finally {
            InfrastructureResource.infrastructure().startKafka();
        }
        var events = fx.events();
        CustomerEvent assigned = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 1).get(0);
        assertEquals("alice", assigned.agent().id());
        assertEquals("alice", assigned.customer().agentId());
        events.close();
    }

    /**
     * While Kafka is down an agent keeps writing: each request is answered at its usual speed (no request thread
     * waits for Kafka), the customer's outbox stops growing at {@code handover.outbox.max-pending} with a clear
     * 503, and once Kafka is back every accepted text goes out once, in the order written.
     */
    @Test
    void whileKafkaIsDownRequestsStayFastTheOutboxIsBoundedAndEverythingFollowsOnceInOrder() throws Exception {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String customer = fx.waitingCustomer(page);
        String alice = TestTokens.agent("alice", fx.company);
        as(alice).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + customer + "/assign")
                .then().statusCode(200);
        var outbound = companion.consume(String.class, byte[].class).withGroupId(Fixtures.id("outbound"))
                .withOffsetReset(org.apache.kafka.clients.consumer.OffsetResetStrategy.EARLIEST)
                .fromTopics(Topics.MESSENGER_OUTBOUND);
        List<String> accepted = new ArrayList<>();
        long slowest = 0;
        int refused = 0;
        InfrastructureResource.infrastructure().stopKafka();
        try {
            for (int i = 0; i < 60; i++) {
                long start = System.nanoTime();
                var response = as(alice).body("{\"page_id\":\"" + page + "\",\"message\":\"text " + i + "\"}")
                        .post("/api/dashboard/customers/" + customer + "/messages").then().extract();
                slowest = Math.max(slowest, (System.nanoTime() - start) / 1_000_000);
                if (response.statusCode() == 200) {
                    accepted.add("text " + i);
                } else {
                    assertEquals(503, response.statusCode());
                    assertEquals("Too many changes of this customer are waiting for the event broker, try again shortly",
                            response.path("error"));
                    refused++;
                }
            }
            // other customers and reads are not held up either
            as(alice).queryParam("page_id", page).get("/api/dashboard/customers/stopped").then().statusCode(200);
        } finally {
            InfrastructureResource.infrastructure().startKafka();
        }
        System.out.printf("while Kafka was down: %d texts accepted, %d refused (outbox full), slowest answer %d ms%n",
                accepted.size(), refused, slowest);
        assertTrue(refused > 0, "the outbox never filled up");
        assertTrue(accepted.size() >= 10, "only " + accepted.size() + " accepted");
        // a request waiting for Kafka would wait out the producer's 10 s delivery timeout
        assertTrue(slowest < 5_000, "a request waited " + slowest + " ms");
        var decoder = new OutboundMessage.Deserializer();
        List<String> sent = await().atMost(Duration.ofSeconds(60)).until(() -> outbound.getRecords().stream()
                .map(r -> decoder.deserialize("t", r.value())).filter(m -> customer.equals(m.customerId()))
                .map(OutboundMessage::text).toList(), l -> l.size() >= accepted.size());
        assertEquals(accepted, sent, "every accepted text once, in order");
        outbound.close();
    }
}
