package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The admins' report: customers handled, waits, first responses and handle times, per company and per agent. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class ReportTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";
    private static final String REPORTS = "/api/dashboard/reports";

    KafkaCompanion companion;

    @Test
    void handoffsAreCountedAndTimedPerAgentFromTheAuditLog() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String alice = TestTokens.agent("alice", fx.company);
        String bob = TestTokens.agent("bob", fx.company);
        String body = "{\"page_id\":\"" + page + "\"}";
        String hello = "{\"page_id\":\"" + page + "\",\"message\":\"Hello\"}";

        String answered = fx.waitingCustomer(page);
        as(alice).body(body).post(CUSTOMERS + answered + "/assign").then().statusCode(200);
        as(alice).body(hello).post(CUSTOMERS + answered + "/messages").then().statusCode(200);
        as(alice).body(body).post(CUSTOMERS + answered + "/unassign").then().statusCode(200);
        String silent = fx.waitingCustomer(page);
        as(bob).body(body).post(CUSTOMERS + silent + "/assign").then().statusCode(200);
        as(fx.adminToken).body(body).post("/api/admin/customers/" + silent + "/release").then().statusCode(200);
        String writtenTo = fx.waitingCustomer(page);
        as(alice).body(hello).post(CUSTOMERS + writtenTo + "/messages").then().statusCode(200);

        // audit lines are written by each customer's outbox, just after the changes
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(fx.adminToken).get(REPORTS).then().statusCode(200)
                .body("company.customers_handled", equalTo(3))
                .body("company.handle_seconds.p50", notNullValue())
                .body("company.wait_seconds.p50", greaterThanOrEqualTo(0))
                .body("company.wait_seconds.p90", greaterThanOrEqualTo(0))
                .body("agents.agent_id", org.hamcrest.Matchers.contains("alice", "bob"))
                .body("agents[0].customers_handled", equalTo(2))
                .body("agents[0].agent_email", equalTo("alice@example.com"))
                .body("agents[0].first_response_seconds.p50", greaterThanOrEqualTo(0))
                .body("agents[0].handle_seconds.p90", greaterThanOrEqualTo(0))
                .body("agents[1].customers_handled", equalTo(1))
                .body("agents[1].first_response_seconds.p50", nullValue())
                .body("agents[1].handle_seconds.p50", greaterThanOrEqualTo(0))
                // per day: seven days by default, today's (the last) holds all three, the others none
                .body("days", org.hamcrest.Matchers.hasSize(org.hamcrest.Matchers.either(equalTo(7)).or(equalTo(8))))
                .body("days[-1].date", equalTo(java.time.LocalDate.now(java.time.ZoneOffset.UTC).toString()))
                .body("days[-1].customers_handled", equalTo(3))
                .body("days[-1].first_response_seconds.p50", greaterThanOrEqualTo(0))
                .body("days[0].customers_handled", equalTo(0))
                .body("days[0].wait_seconds.p50", nullValue())
                // and per agent per day: alice's two today, bob's one, nobody's before
                .body("agents[0].days[-1].customers_handled", equalTo(2))
                .body("agents[0].days[-1].first_response_seconds.p50", greaterThanOrEqualTo(0))
                .body("agents[1].days[-1].customers_handled", equalTo(1))
                .body("agents[1].days[-1].first_response_seconds.p50", nullValue())
                .body("agents[1].days[-1].handle_seconds.p50", greaterThanOrEqualTo(0))
                .body("agents[0].days", org.hamcrest.Matchers.hasSize(org.hamcrest.Matchers.either(equalTo(7)).or(equalTo(8))))
                .body("agents[0].days[0].customers_handled", equalTo(0)));

        // a period before any of it, another company, a plain agent
        String past = Instant.now().minus(30, ChronoUnit.DAYS).toString();
        String pastEnd = Instant.now().minus(20, ChronoUnit.DAYS).toString();
        as(fx.adminToken).queryParam("from", past).queryParam("to", pastEnd).get(REPORTS).then().statusCode(200)
                .body("company.customers_handled", equalTo(0)).body("company.wait_seconds.p50", nullValue())
                .body("days", org.hamcrest.Matchers.hasSize(org.hamcrest.Matchers.either(equalTo(10)).or(equalTo(11))))
                .body("days.customers_handled", org.hamcrest.Matchers.everyItem(equalTo(0)));
        as(new Fixtures(companion).adminToken).get(REPORTS).then().statusCode(200)
                .body("company.customers_handled", equalTo(0));
        as(alice).get(REPORTS).then().statusCode(403);
    }

    @Test
    void eachAssignmentsFirstMessageIsItsFirstResponseAndTheAuditShowsEverySend() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String alice = TestTokens.agent("alice", fx.company);
        String bob = TestTokens.agent("bob", fx.company);
        String body = "{\"page_id\":\"" + page + "\"}";
        String customer = fx.waitingCustomer(page);
        as(alice).body(body).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        for (String text : List.of("Hello", "Let me check", "Done")) {
            as(alice).body("{\"page_id\":\"" + page + "\",\"message\":\"" + text + "\"}").post(CUSTOMERS + customer + "/messages")
                    .then().statusCode(200);
        }
        as(alice).body(body).post(CUSTOMERS + customer + "/unassign").then().statusCode(200);
        as(bob).body(body).post(CUSTOMERS + customer + "/assign").then().statusCode(200);
        as(bob).body("{\"page_id\":\"" + page + "\",\"message\":\"Hi, Bob here\"}").post(CUSTOMERS + customer + "/messages")
                .then().statusCode(200);

        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(fx.adminToken).queryParam("page_id", page)
                .get("/api/admin/customers/" + customer + "/audit").then().statusCode(200)
                .body("entries.findAll { it.action == 'message_sent' }.actor.id",
                        org.hamcrest.Matchers.containsInAnyOrder("alice", "alice", "alice", "bob")));
        // the audit view merges sends from the conversation at once; the report reads the outbox's lines
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(fx.adminToken).get(REPORTS).then().statusCode(200)
                .body("agents.agent_id", org.hamcrest.Matchers.contains("alice", "bob"))
                .body("agents[0].first_response_seconds.p50", greaterThanOrEqualTo(0))
                .body("agents[1].first_response_seconds.p50", greaterThanOrEqualTo(0)));
        // the conversation keeps every message
        as(bob).queryParam("page_id", page).get(CUSTOMERS + customer + "/messages").then().statusCode(200)
                .body("messages.findAll { it.author == 'agent' }.text",
                        org.hamcrest.Matchers.containsInAnyOrder("Hi, Bob here", "Done", "Let me check", "Hello"));
    }

    @Test
    void aBadPeriodIsRefusedByName() {
        var fx = new Fixtures(companion);
        as(fx.adminToken).queryParam("from", "yesterday").get(REPORTS).then().statusCode(400)
                .body("error", equalTo("from must be a time like 2026-01-31T00:00:00Z"));
        as(fx.adminToken).queryParam("from", "2026-02-01T00:00:00Z").queryParam("to", "2026-01-01T00:00:00Z").get(REPORTS)
                .then().statusCode(400).body("error", equalTo("from must be before to"));
        as(fx.adminToken).queryParam("from", "2025-01-01T00:00:00Z").queryParam("to", "2026-01-01T00:00:00Z").get(REPORTS)
                .then().statusCode(400).body("error", equalTo("A report covers at most 92 days"));
    }
}
