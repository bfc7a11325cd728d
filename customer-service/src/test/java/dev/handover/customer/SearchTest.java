package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import dev.handover.customer.config.MongoIndexes;
import dev.handover.customer.repository.CustomerRepository;

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
    @Inject
    CustomerRepository customers;
    @Inject
    MongoIndexes indexes;

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

    /** Customers written by a version without search words are found after the upgrade's first start. */
    @Test
    void customersStoredBeforeSearchAreFoundAfterTheUpgrade() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String agent = fx.agentToken("alice");
        String old = writes(fx, page, "Ottavia", "Vecchi");
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(agent).queryParam("q", "ottavia").get(SEARCH).then()
                .body("total", equalTo(1)));
        var database = customers.mongoDatabase();
        database.getCollection("customers").updateOne(Filters.eq("customer_id", old), Updates.unset("name_words"));
        as(agent).queryParam("q", "ottavia").get(SEARCH).then().body("total", equalTo(0));
        database.getCollection("migrations").deleteOne(Filters.eq("_id", "customer_name_words"));

        indexes.ensure();

        as(agent).queryParam("q", "ottavia vec").get(SEARCH).then().body("customers.customer_id", equalTo(List.of(old)));
        org.junit.jupiter.api.Assertions.assertNotNull(database.getCollection("migrations")
                .find(Filters.eq("_id", "customer_name_words")).first(), "the backfill is not remembered");
    }

    private static String writes(Fixtures fx, String page, String first, String last) {
        String customer = Fixtures.id("psid");
        String mid = Fixtures.id("m");
        fx.publish(new InboundEvent(mid, InboundKind.MESSAGE, page, customer, Instant.now().truncatedTo(ChronoUnit.MILLIS),
                mid, "hello", null, null, null, null, null, null, null, null, first, last));
        return customer;
    }
}
