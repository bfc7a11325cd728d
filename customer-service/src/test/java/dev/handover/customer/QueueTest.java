package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The queue: every waiting customer nobody took has a place (1 = next, first come first served, per company)
 * and, once the company has taken a few customers in the last hour, an estimated wait; taken customers have
 * neither, and the places behind them move up.
 */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class QueueTest {

    private static final String CUSTOMERS = "/api/dashboard/customers/";

    KafkaCompanion companion;

    @Test
    void waitingCustomersArePlacedFirstComeFirstServedAndMoveUpWhenOneIsTaken() {
        var fx = new Fixtures(companion);
        String page = fx.page();
        String otherPage = fx.page();
        String alice = TestTokens.agent("alice", fx.company);
        String first = fx.waitingCustomer(page);
        String second = fx.waitingCustomer(otherPage);
        String third = fx.waitingCustomer(page);
        // another company's queue is its own
        var other = new Fixtures(companion);
        other.waitingCustomer(other.page());

        Map<String, Integer> places = places(alice, null);
        assertEquals(Map.of(first, 1, second, 2, third, 3), places);
        assertEquals(Map.of(first, 1, third, 3), places(alice, page), "a page's list shows company-wide places");
        as(alice).get(CUSTOMERS + "stopped").then().body("customers[0].estimated_wait_seconds", nullValue());

        as(alice).body("{\"page_id\":\"" + otherPage + "\"}").post(CUSTOMERS + second + "/assign").then().statusCode(200);
        assertEquals(Map.of(first, 1, third, 2), places(alice, null));
        as(alice).get(CUSTOMERS + "stopped").then()
                .body("customers.find { it.customer_id == '" + second + "' }.queue_position", nullValue())
                .body("customers.find { it.customer_id == '" + second + "' }.estimated_wait_seconds", nullValue());
        as(alice).get(CUSTOMERS + "lookup/" + third).then().statusCode(200).body("queue_position", equalTo(2));

        // three takes in the last hour: one every 1,200 s, so the second in line waits about 2,400 s
        String bob = TestTokens.agent("bob", fx.company);
        for (String taken : List.of(fx.waitingCustomer(page), fx.waitingCustomer(page))) {
            as(bob).body("{\"page_id\":\"" + page + "\"}").post(CUSTOMERS + taken + "/assign").then().statusCode(200);
        }
        await().atMost(Fixtures.WAIT).untilAsserted(() -> as(alice).get(CUSTOMERS + "stopped").then()
                .body("customers.find { it.customer_id == '" + first + "' }.estimated_wait_seconds", equalTo(1200))
                .body("customers.find { it.customer_id == '" + third + "' }.estimated_wait_seconds", equalTo(2400)));
    }

    private static Map<String, Integer> places(String token, String pageId) {
        var request = as(token);
        if (pageId != null) {
            request.queryParam("page_id", pageId);
        }
        List<Map<String, Object>> customers = request.get(CUSTOMERS + "stopped").then().statusCode(200).extract()
                .path("customers");
        Map<String, Integer> places = new HashMap<>();
        for (Map<String, Object> c : customers) {
            if (c.get("queue_position") != null) {
                places.put((String) c.get("customer_id"), (Integer) c.get("queue_position"));
            }
        }
        return places;
    }
}
