package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Handing customers on: their agent (or an admin) transfers them to another agent of the company, an admin
 * sends them back to the queue; every such change is broadcast with why, and from whom.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class TransferTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";

    KafkaCompanion companion;

    Fixtures fx;
    String page;
    String alice;
    String bob;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
        alice = TestTokens.agent("alice", fx.company);
        bob = TestTokens.agent("bob", fx.company);
        // an agent of the company is one who signed in at least once
        as(bob).get("/api/dashboard/pages").then().statusCode(200);
    }

    @Test
    void theAssigneeHandsACustomerToAnotherAgentAndEveryoneSeesFromWhom() {
        String customer = fx.waitingCustomer(page);
        var events = fx.events();
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);

        as(TestTokens.agent("carol", fx.company)).body(to("bob")).post(CUSTOMERS + customer + "/transfer").then()
                .statusCode(403).body("error", equalTo("You are not assigned to this customer"));
        as(alice).body(to("nobody")).post(CUSTOMERS + customer + "/transfer").then().statusCode(400)
                .body("error", equalTo("to_agent_id is not an agent of this company"));
        var rival = new Fixtures(companion);
        as(TestTokens.agent("mallory", rival.company)).get("/api/dashboard/pages").then().statusCode(200);
        as(alice).body(to("mallory")).post(CUSTOMERS + customer + "/transfer").then().statusCode(400)
                .body("error", equalTo("to_agent_id is not an agent of this company"));
        as(alice).body(body()).post(CUSTOMERS + customer + "/transfer").then().statusCode(400)
                .body("error", equalTo("to_agent_id is required"));

        as(alice).body(to("bob")).post(CUSTOMERS + customer + "/transfer").then().statusCode(200)
                .body("agent_id", equalTo("bob")).body("customer.agent_id", equalTo("bob"));
        List<CustomerEvent> changes = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 2);
        assertEquals("taken", changes.get(0).reason());
        assertNull(changes.get(0).previousAgent());
        CustomerEvent moved = changes.get(1);
        assertEquals("assigned", moved.action());
        assertEquals("transferred", moved.reason());
        assertEquals("bob", moved.agent().id());
        assertEquals("alice", moved.previousAgent().id());
        // the customer is bob's now: alice may no longer write to them, bob may
        as(alice).body(body("\"message\":\"still me\"")).post(CUSTOMERS + customer + "/messages").then().statusCode(409);
        as(bob).body(body("\"message\":\"Bob here\"")).post(CUSTOMERS + customer + "/messages").then().statusCode(200);
        events.close();
    }

    @Test
    void anAdminSendsACustomerBackToTheQueueOrHandsThemToAnAgent() {
        String customer = fx.waitingCustomer(page);
        var events = fx.events();
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(bob).body(body()).post("/api/admin/customers/" + customer + "/release").then().statusCode(403);

        as(fx.adminToken).body(body()).post("/api/admin/customers/" + customer + "/release").then().statusCode(200)
                .body("customer.agent_id", nullValue()).body("customer.stop", equalTo(true));
        as(fx.adminToken).body(body()).post("/api/admin/customers/" + customer + "/release").then().statusCode(409)
                .body("error", equalTo("Customer is not assigned"));
        CustomerEvent released = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 2).get(1);
        assertEquals("unassigned", released.action());
        assertEquals("released_by_admin", released.reason());
        assertEquals("alice", released.agent().id());

        // a waiting customer nobody took, given to bob by the admin
        as(fx.adminToken).body(to("bob")).post("/api/admin/customers/" + customer + "/transfer").then().statusCode(200)
                .body("agent_id", equalTo("bob"));
        CustomerEvent given = fx.awaitEvents(events, CustomerEventType.AGENT_ASSIGNMENT_CHANGED, customer, 3).get(2);
        assertEquals("transferred", given.reason());
        assertNull(given.previousAgent());
        fx.awaitAudit(page, customer, "entries.find { it.action == 'unassigned' }.actor.id", "admin-" + fx.company);
        fx.awaitAudit(page, customer, "entries.find { it.action == 'unassigned' }.reason",
                "released to the queue by an admin");
        events.close();
    }

    @Test
    void aTransferRespectsTheTargetsCapacity() {
        as(fx.adminToken).body("{\"max_active_chats\":1}").put("/api/admin/settings").then().statusCode(200);
        String bobs = fx.waitingCustomer(page);
        as(bob).body(body()).post(CUSTOMERS + bobs + "/assign").then().statusCode(200);
        String customer = fx.waitingCustomer(page);
        as(alice).body(body()).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(alice).body(to("bob")).post(CUSTOMERS + customer + "/transfer").then().statusCode(409)
                .body("error", equalTo("Agent bob has reached the limit of 1 active chats"));
    }

    private String body() {
        return "{\"page_id\":\"" + page + "\"}";
    }

    private String body(String extra) {
        return "{\"page_id\":\"" + page + "\"," + extra + "}";
    }

    private String to(String agentId) {
        return body("\"to_agent_id\":\"" + agentId + "\"");
    }
}
