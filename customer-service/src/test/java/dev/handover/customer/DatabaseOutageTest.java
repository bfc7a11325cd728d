package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The last row of the spec's error table: the database fails while an agent takes a customer. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class DatabaseOutageTest {

    KafkaCompanion companion;

    @Test
    void aDatabaseFailureDuringAssignmentIsReportedAsFailedToAssign() throws Exception {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String customer = fx.waitingCustomer(page);
        var infra = InfrastructureResource.infrastructure();
        infra.stopMongo();
        try {
            as(TestTokens.agent("alice", fx.company)).body("{\"page_id\":\"" + page + "\"}")
                    .post("/api/dashboard/customers/" + customer + "/assign").then()
                    .statusCode(500).body("error", equalTo("Failed to assign agent"));
        } finally {
            infra.startMongo();
        }
    }
}
