package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/** The spec's four REST endpoints, their bodies and error texts, authentication and company scoping. */
@QuarkusTest
@WithTestResource(InfrastructureResource.class)
class CustomerApiTest {

    private static final String CUSTOMERS = "/api/dashboard/customers";

    KafkaCompanion companion;
    Fixtures fx;
    String page;
    String agent;

    @BeforeEach
    void company() {
        fx = new Fixtures(companion);
        page = fx.page();
        agent = fx.agentToken("agent-1");
    }

    @Test
    void listsTheCompanysCustomersWithPaginationAndPageFilter() {
        String otherPage = fx.page();
        for (int i = 0; i < 3; i++) {
            fx.customerWrites(page, Fixtures.id("psid"), "hello " + i);
        }
        String elsewhere = Fixtures.id("psid");
        fx.customerWrites(otherPage, elsewhere, "hi");
        await().atMost(Fixtures.WAIT).until(() -> as(agent).get(CUSTOMERS).then().extract().<Integer>path("pagination.total") == 4);

        as(agent).queryParam("limit", 2).get(CUSTOMERS).then().statusCode(200)
                .body("customers", hasSize(2))
                .body("pagination.page", equalTo(1))
                .body("pagination.limit", equalTo(2))
                .body("pagination.total", equalTo(4))
                .body("pagination.total_pages", equalTo(2))
                .body("pagination.has_more", equalTo(true));
        as(agent).queryParam("limit", 2).queryParam("page", 2).get(CUSTOMERS).then().statusCode(200)
                .body("customers", hasSize(2)).body("pagination.has_more", equalTo(false));
        as(agent).queryParam("page_id", otherPage).get(CUSTOMERS).then().statusCode(200)
                .body("customers.customer_id", contains(elsewhere))
                .body("customers[0].page_name", equalTo("Page " + otherPage))
                .body("customers[0].company_id", equalTo(fx.company))
                .body("customers[0].first_name", equalTo("Jane"))
                .body("customers[0].customer_name", equalTo("Jane Roe"))
                .body("customers[0].message_count", equalTo(1))
                .body("customers[0].last_message", equalTo("hi"))
                .body("customers[0].stop", equalTo(false))
                .body("customers[0].updated_at", notNullValue())
                .body("customers[0].first_seen", notNullValue())
                // the spec's customer carries these always, null when unset (clients test for the keys)
                .body("customers[0]", allOf(hasEntry("agent_name", null), hasEntry("agent_id", null),
                        hasEntry("agent_email", null), hasEntry("assigned_at", null), hasEntry("stopped_at", null)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "abc", "9999999999" })
    void limitsThatAreNoPageSizeAreRefused(String limit) {
        as(agent).queryParam("limit", limit).get(CUSTOMERS).then().statusCode(400)
                .body("error", equalTo("limit must be a whole number from 1 up"));
    }

    @Test
    void aLimitOverTheMaximumIsCappedAtTwoHundred() {
        as(agent).queryParam("limit", 201).get(CUSTOMERS).then().statusCode(200).body("pagination.limit", equalTo(200));
        as(agent).queryParam("limit", 5000).get(CUSTOMERS + "/stopped").then().statusCode(200)
                .body("pagination.limit", equalTo(200));
    }

    @Test
    void pageNumbersBelowOneAreRefused() {
        as(agent).queryParam("page", 0).get(CUSTOMERS).then().statusCode(400)
                .body("error", org.hamcrest.Matchers.startsWith("page must be a whole number from 1"));
    }

    @Test
    void stopUpdatesAndTogglesWithTheSpecsBodies() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        awaitCustomer(customer);

        as(agent).body(body("\"stop\":true")).put(CUSTOMERS + "/" + customer + "/stop").then().statusCode(200)
                .body("message", equalTo("Customer status updated successfully"))
                .body("customer.customer_id", equalTo(customer))
                .body("customer.stop", equalTo(true))
                .body("customer.stopped_at", notNullValue());
        as(agent).body(body(null)).post(CUSTOMERS + "/" + customer + "/toggle-stop").then().statusCode(200)
                .body("message", equalTo("Customer status toggled successfully"))
                .body("previous_stop", equalTo(true))
                .body("current_stop", equalTo(false))
                .body("customer.stop", equalTo(false))
                .body("customer.stopped_at", nullValue());
        as(agent).body(body(null)).post(CUSTOMERS + "/" + customer + "/toggle-stop").then().statusCode(200)
                .body("previous_stop", equalTo(false)).body("current_stop", equalTo(true));
    }

    @Test
    void agentNameUpdates() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        awaitCustomer(customer);
        as(agent).body(body("\"agent_name\":\"Agent Smith\"")).put(CUSTOMERS + "/" + customer + "/agent").then()
                .statusCode(200)
                .body("message", equalTo("Agent name updated successfully"))
                .body("customer.agent_name", equalTo("Agent Smith"));
        as(agent).body(body("\"agent_name\":\"  \"")).put(CUSTOMERS + "/" + customer + "/agent").then()
                .statusCode(400).body("error", equalTo("agent_name is required"));
    }

    @Test
    void missingPageIdMalformedJsonAndMissingFieldsAreRefusedAndChangeNothing() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        awaitCustomer(customer);
        String path = CUSTOMERS + "/" + customer + "/stop";
        as(agent).body("{\"stop\":true}").put(path).then().statusCode(400).body("error", equalTo("page_id is required"));
        as(agent).body("{\"page_id\":\"" + page + "\",\"stop\":").put(path).then().statusCode(400)
                .body("error", equalTo("Invalid JSON body"));
        as(agent).body("{\"page_id\":\"" + page + "\"}").put(path).then().statusCode(400)
                .body("error", equalTo("stop is required"));
        as(agent).body("{\"page_id\":\"" + page + "\",\"stop\":\"yes please\"}").put(path).then().statusCode(400)
                .body("error", equalTo("Invalid value for stop"));
        as(agent).put(path).then().statusCode(400).body("error", equalTo("page_id is required"));
        as(agent).queryParam("page_id", page).get(CUSTOMERS).then().body("customers[0].stop", equalTo(false));
    }

    @Test
    void idsShapedLikeMongoOperatorsMatchNothing() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        awaitCustomer(customer);
        as(agent).body("{\"page_id\":{\"$gt\":\"\"},\"stop\":true}").put(CUSTOMERS + "/" + customer + "/stop").then()
                .statusCode(400).body("error", equalTo("Invalid value for page_id"));
        as(agent).urlEncodingEnabled(false).body(body("\"stop\":true"))
                .put(CUSTOMERS + "/%7B%22%24gt%22%3A%22%22%7D/stop").then().statusCode(404)
                .body("error", equalTo("Customer not found"));
        as(agent).queryParam("page_id", "{\"$ne\":null}").get(CUSTOMERS).then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(agent).queryParam("page_id", page).get(CUSTOMERS).then().body("customers[0].stop", equalTo(false));
    }

    @Test
    void unknownCustomersAndOtherCompaniesPagesAndCustomersAreRefused() {
        String customer = Fixtures.id("psid");
        fx.customerWrites(page, customer, "hello");
        awaitCustomer(customer);
        var rival = new Fixtures(companion);
        String rivalPage = rival.page();
        String rivalAgent = rival.agentToken("agent-9");

        as(agent).body(body("\"stop\":true")).put(CUSTOMERS + "/nobody/stop").then().statusCode(404)
                .body("error", equalTo("Customer not found"));
        // the rival names our page: denied; names its own page with our customer: not found
        as(rivalAgent).body(body("\"stop\":true")).put(CUSTOMERS + "/" + customer + "/stop").then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(rivalAgent).body("{\"page_id\":\"" + rivalPage + "\",\"stop\":true}").put(CUSTOMERS + "/" + customer + "/stop")
                .then().statusCode(404).body("error", equalTo("Customer not found"));
        as(rivalAgent).queryParam("page_id", page).get(CUSTOMERS).then().statusCode(403)
                .body("error", equalTo("Page not found or access denied"));
        as(rivalAgent).get(CUSTOMERS).then().statusCode(200).body("customers", hasSize(0));
        as(agent).queryParam("page_id", page).get(CUSTOMERS).then().body("customers[0].stop", equalTo(false));
    }

    @Test
    void everyEndpointNeedsAValidToken() {
        List<String> refused = List.of(TestTokens.expired("agent-1", fx.company), TestTokens.forged("agent-1", fx.company),
                "not.a.jwt");
        for (String token : refused) {
            as(token).get(CUSTOMERS).then().statusCode(401);
            as(token).body(body("\"stop\":true")).put(CUSTOMERS + "/x/stop").then().statusCode(401);
        }
        given().contentType(ContentType.JSON).get(CUSTOMERS).then().statusCode(401);
        given().contentType(ContentType.JSON).body(body(null)).post(CUSTOMERS + "/x/toggle-stop").then().statusCode(401);
        String noCompany = TestTokens.sign("agent-1", null, "A", "a@example.com", List.of("agent"),
                java.time.Duration.ofHours(1), TestTokens.key());
        as(noCompany).get(CUSTOMERS).then().statusCode(403);
        String noRole = TestTokens.sign("agent-1", fx.company, "A", "a@example.com", List.of("viewer"),
                java.time.Duration.ofHours(1), TestTokens.key());
        as(noRole).get(CUSTOMERS).then().statusCode(403);
    }

    @Test
    void openApiDescribesTheApi() {
        String openapi = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200).extract().asString();
        for (String path : List.of("/api/dashboard/customers", "/api/dashboard/customers/{customerID}/agent",
                "/api/dashboard/customers/{customerID}/stop", "/api/dashboard/customers/{customerID}/toggle-stop",
                "/api/dashboard/customers/stopped", "/api/dashboard/customers/{customerID}/assign",
                "/api/dashboard/customers/{customerID}/unassign", "/api/dashboard/customers/{customerID}/messages",
                "/api/dashboard/customers/{customerID}/profile", "/api/admin/pages", "/api/admin/pages/{pageId}")) {
            assertEquals(true, openapi.contains("\"" + path + "\""), path + " missing from OpenAPI");
        }
    }

    private void awaitCustomer(String customer) {
        await().atMost(Fixtures.WAIT).until(() -> as(agent).queryParam("page_id", page).get(CUSTOMERS).then()
                .extract().<List<String>>path("customers.customer_id").contains(customer));
    }

    private String body(String extra) {
        return "{\"page_id\":\"" + page + "\"" + (extra == null ? "" : "," + extra) + "}";
    }
}
