package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** Search by name: every word typed starts a word of the name, in the caller's company only. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class SearchTest {

    private static final String SEARCH = "/api/dashboard/customers/search";

    KafkaCompanion companion;

    @Test
    void customersAreFoundByTheBeginningsOfTheirNamesAndOnlyInTheirCompany() {
        var fx = new Fixtures(companion);
        var rival = new Fixtures(companion);
        String page = fx.page();
        String rivalPage = rival.page();
        String maria = writes(fx, page, "Maria", "Rossi");
        String mario = writes(fx, page, "Mario", "Bianchi");
        String anna = writes(fx, page, "Anna-Maria", "Verdi");
        writes(fx, page, "Luca", "Marini");
        writes(rival, rivalPage, "Maria", "Neri");
        String agent = fx.agentToken("alice");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(agent).queryParam("q", "mari").get(SEARCH).then()
                .statusCode(200).body("total", equalTo(4)));
        as(agent).queryParam("q", "MARI").get(SEARCH).then().body("customers.customer_id", org.hamcrest.Matchers.hasItems(
                maria, mario, anna));
        as(agent).queryParam("q", "maria").get(SEARCH).then().body("customers.customer_id",
                containsInAnyOrder(maria, anna));
        as(agent).queryParam("q", "maria ro").get(SEARCH).then().body("customers.customer_id", equalTo(List.of(maria)))
                .body("customers[0].customer_name", equalTo("Maria Rossi"));
        as(agent).queryParam("q", "zzz").get(SEARCH).then().statusCode(200).body("total", equalTo(0));
        as(agent).queryParam("q", "m").get(SEARCH).then().statusCode(400).body("error", equalTo("q must have at least 2 letters"));
        as(agent).get(SEARCH).then().statusCode(400);
        as(rival.agentToken("eve")).queryParam("q", "maria").get(SEARCH).then().body("total", equalTo(1));
    }

    private static String writes(Fixtures fx, String page, String first, String last) {
        String customer = Fixtures.id("psid");
        String mid = Fixtures.id("m");
        fx.publish(new InboundEvent(mid, InboundKind.MESSAGE, page, customer, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                mid, "hello", null, null, null, null, null, null, null, null, first, last));
        return customer;
    }
}
