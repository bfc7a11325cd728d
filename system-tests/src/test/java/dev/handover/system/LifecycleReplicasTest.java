package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;


import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInbound;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestPages;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The lifecycle's timers live in the database, not in a process: with two customer-service replicas a response
 * timer fires once (one {@code no_response} release, whichever replica's sweep gets there), and a timer that falls
 * due while every replica is down (killed with SIGKILL) fires once one is back. The replicas have a database and
 * consumer groups of their own, so no other test's customer-service takes part.
 */
class LifecycleReplicasTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private final String company = "co-life-" + run;
    private final String page = "page-life-" + run;
    private final Map<String, String> env = TestInfrastructure.isolatedCustomerService("lifecycle-" + run);
    private final KafkaCompanion kafka = new KafkaCompanion(TestInfrastructure.infrastructure().kafkaBootstrapServers());

    @Test
    void aResponseTimerFiresOnceAcrossReplicasAndAfterEveryReplicaWasKilled() {
        List<ServiceProcess> replicas = new ArrayList<>();
        try {
            replicas.add(TestInfrastructure.start("customer-service", env));
            replicas.add(TestInfrastructure.start("customer-service", env));
            TestPages.connected("lifecycle-" + run, page, company, "Timers");
            given().baseUri(replicas.get(0).url()).auth().oauth2(TestTokens.admin("boss", company))
                    .contentType(ContentType.JSON).body("{\"response_timeout_seconds\":6}").put("/api/admin/settings")
                    .then().statusCode(200);

            // two replicas sweeping: one release
            String first = waitingAndAnsweredLate(replicas);
            await().atMost(WAIT).until(() -> noResponseReleases(replicas.get(1), first) == 1);
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                    .until(() -> noResponseReleases(replicas.get(0), first) == 1);
            assertNull(customer(replicas.get(0), first).get("agent_id"));

            // every replica killed before the timer is due: the one started afterwards applies it, once
            String second = waitingAndAnsweredLate(replicas);
            replicas.forEach(ServiceProcess::kill);
            replicas.clear();
            Instant killed = Instant.now();
            replicas.add(TestInfrastructure.start("customer-service", env));
            await().atMost(WAIT).until(() -> noResponseReleases(replicas.get(0), second) == 1);
            System.out.printf("a response timer due while every replica was down fired %d ms after the SIGKILL%n",
                    Duration.between(killed, Instant.now()).toMillis());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> noResponseReleases(replicas.get(0), second) == 1);
        } finally {
            replicas.forEach(ServiceProcess::close);
        }
    }

    /** A customer asks for a human, alice takes them, the customer writes again and nobody answers. */
    private String waitingAndAnsweredLate(List<ServiceProcess> replicas) {
        String customer = "psid-life-" + UUID.randomUUID().toString().substring(0, 8);
        writes(customer, "I want to speak to a human");
        String alice = TestTokens.agent("alice", company);
        await().atMost(WAIT).until(() -> given().baseUri(replicas.get(1).url()).auth().oauth2(alice)
                .queryParam("page_id", page).get("/api/dashboard/customers/stopped").then().extract()
                .<List<String>>path("customers.customer_id").contains(customer));
        given().baseUri(replicas.get(1).url()).auth().oauth2(alice).contentType(ContentType.JSON)
                .body("{\"page_id\":\"" + page + "\"}").post("/api/dashboard/customers/" + customer + "/assign").then()
                .statusCode(200);
        writes(customer, "Hello? Anyone?");
        await().atMost(WAIT).until(() -> given().baseUri(replicas.get(0).url()).auth().oauth2(alice)
                .queryParam("page_id", page).get("/api/dashboard/customers/" + customer + "/messages").then().extract()
                .<List<String>>path("messages.text").contains("Hello? Anyone?"));
        assertEquals(0, noResponseReleases(replicas.get(0), customer));
        return customer;
    }

    private void writes(String customer, String text) {
        TestInbound.customerWrites(kafka, page, customer, text);
    }

    private long noResponseReleases(ServiceProcess replica, String customer) {
        List<Map<String, Object>> entries = given().baseUri(replica.url()).auth().oauth2(TestTokens.admin("boss", company))
                .queryParam("page_id", page).get("/api/admin/customers/" + customer + "/audit").then().statusCode(200)
                .extract().path("entries");
        // the audit line's reason is the rule's description (no_response: "the agent did not answer in time")
        return entries.stream().filter(e -> "unassigned".equals(e.get("action"))
                && "the agent did not answer in time".equals(e.get("reason"))).count();
    }

    private Map<String, Object> customer(ServiceProcess replica, String customer) {
        return given().baseUri(replica.url()).auth().oauth2(TestTokens.agent("alice", company))
                .get("/api/dashboard/customers/lookup/" + customer).then().statusCode(200).extract().path("$");
    }
}
