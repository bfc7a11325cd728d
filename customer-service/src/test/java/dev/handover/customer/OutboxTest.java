package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
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
}
