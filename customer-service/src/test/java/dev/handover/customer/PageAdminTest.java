package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.handover.customer.repository.PageRepository;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** Admins connect (with proof), rename, audit and disconnect their company's pages; nobody else can. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class PageAdminTest {

    KafkaCompanion companion;

    @Inject
    PageRepository pages;

    @Test
    void adminsManageTheirOwnPagesOnly() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String agent = TestTokens.agent("alice", fx.company);
        as(agent).get("/api/dashboard/pages").then().statusCode(200)
                .body("page_id", contains(page)).body("[0].company_id", equalTo(fx.company));
        as(agent).body("{\"page_id\":\"p-new\",\"page_name\":\"x\"}").post("/api/admin/pages").then().statusCode(403);
        as(fx.adminToken).body("{\"page_id\":\"p-new\",\"page_name\":\"x\"}").post("/api/admin/pages").then()
                .statusCode(400).body("error", equalTo("page_access_token is required"));
        as(fx.adminToken).body("{\"page_access_token\":\"t\"}").post("/api/admin/pages").then().statusCode(400)
                .body("error", equalTo("page_id is required"));
        // this profile's messenger-bridge address answers nothing: no proof, nothing stored
        as(fx.adminToken).body("{\"page_id\":\"p-new\",\"page_access_token\":\"t\"}").post("/api/admin/pages").then()
                .statusCode(503).body("error", equalTo("messenger-bridge unavailable, try again"));
        as(agent).get("/api/dashboard/pages").then().body("page_id", contains(page));

        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        org.awaitility.Awaitility.await().atMost(Fixtures.WAIT).until(() -> as(agent).get("/api/dashboard/customers").then()
                .extract().<Integer>path("pagination.total") == 1);
        as(fx.adminToken).body("{\"page_name\":\"Renamed\"}").put("/api/admin/pages/" + page).then().statusCode(200)
                .body("page_name", equalTo("Renamed"));
        as(agent).get("/api/dashboard/customers").then().body("customers[0].page_name", equalTo("Renamed"));
        as(fx.adminToken).get("/api/admin/pages/" + page + "/audit").then().statusCode(200)
                .body("entries[0].action", equalTo("page_renamed")).body("entries[0].after.page_name", equalTo("Renamed"))
                .body("entries[0].actor.id", equalTo("admin-" + fx.company));
        as(agent).get("/api/admin/pages/" + page + "/audit").then().statusCode(403);

        String waiting = fx.waitingCustomer(page);
        as(agent).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + waiting + "/assign").then()
                .statusCode(200);
        org.awaitility.Awaitility.await().atMost(Fixtures.WAIT).until(() -> as(fx.adminToken)
                .get("/api/admin/customers/" + waiting + "/audit?page_id=" + page).then().statusCode(200).extract()
                .<java.util.List<String>>path("entries.action").contains("assigned"));
        as(fx.adminToken).get("/api/admin/customers/" + waiting + "/audit?page_id=" + page).then()
                .body("entries.find { it.action == 'assigned' }.actor.id", equalTo("alice"))
                .body("entries.find { it.action == 'assigned' }.after.agent_id", equalTo("alice"));
        // every send is in the trail, the first reply's own line once, newest first
        java.util.List<String> sent = new java.util.ArrayList<>();
        for (String text : java.util.List.of("first", "second", "third")) {
            sent.add(0, as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"" + text + "\"}")
                    .post("/api/dashboard/customers/" + waiting + "/messages").then().statusCode(200).extract()
                    .path("message_id"));
        }
        org.awaitility.Awaitility.await().atMost(Fixtures.WAIT).untilAsserted(() -> as(fx.adminToken)
                .get("/api/admin/customers/" + waiting + "/audit?page_id=" + page).then().statusCode(200)
                .body("entries.findAll { it.action == 'message_sent' }.after.message_id", equalTo(sent))
                .body("entries.findAll { it.action == 'message_sent' }.actor.id", equalTo(java.util.List.of("alice",
                        "alice", "alice")))
                .body("entries[0].action", equalTo("message_sent")));
        as(fx.adminToken).get("/api/admin/customers/" + waiting + "/audit?page_id=" + page + "&limit=2").then()
                .body("entries.after.message_id", equalTo(sent.subList(0, 2)));
        as(fx.adminToken).get("/api/admin/customers/" + waiting + "/audit").then().statusCode(400)
                .body("error", equalTo("page_id is required"));
        as(agent).get("/api/admin/customers/" + waiting + "/audit?page_id=" + page).then().statusCode(403);

        var rival = new Fixtures(companion);
        as(rival.adminToken).body("{\"page_name\":\"Mine now\"}").put("/api/admin/pages/" + page).then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(rival.adminToken).get("/api/dashboard/pages").then().body("$", hasSize(0));
        as(rival.adminToken).get("/api/admin/pages/" + page + "/audit").then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(rival.adminToken).get("/api/admin/customers/" + customer + "/audit?page_id=" + page).then().statusCode(403);
        as(rival.adminToken).delete("/api/admin/pages/" + page).then().statusCode(403);
        as(rival.adminToken).body("{\"page_access_token\":\"t\"}").put("/api/admin/pages/" + page + "/token").then()
                .statusCode(403);
    }

    /**
     * Agents' commands check their page from memory (read at most a few seconds ago): a page disconnected through
     * another replica (removed from the database directly here) is refused to them within those seconds, and from
     * then on to every command, a message included.
     */
    @Test
    void aPageDisconnectedElsewhereIsRefusedToAgentsWithinSeconds() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String waiting = fx.waitingCustomer(page);
        String agent = TestTokens.agent("alice", fx.company);
        as(agent).body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + waiting + "/assign").then()
                .statusCode(200);
        pages.deleteById(page);
        await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> as(agent)
                .get("/api/dashboard/customers?page_id=" + page).then().statusCode(403)
                .body("error", equalTo("Page not found or access denied")));
        as(agent).body("{\"page_id\":\"" + page + "\",\"message\":\"still there?\"}")
                .post("/api/dashboard/customers/" + waiting + "/messages").then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
    }
}
