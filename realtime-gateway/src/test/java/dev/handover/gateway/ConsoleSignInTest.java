package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The sign-in page's options: open to anyone, no provider unless configured, the demo users where a file names them. */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class ConsoleSignInTest {

    @Test
    void theSignInPageLearnsItsOptionsWithoutAToken() {
        given().get("/api/console/sign-in").then().statusCode(200)
                .body("oidc", nullValue())
                .body("demo_users.name", contains("Test Agent"))
                .body("demo_users[0].role", equalTo("agent"));
    }

    @Test
    void theConsoleAndItsTextsAreServed() {
        given().get("/").then().statusCode(200).body(org.hamcrest.Matchers.containsString("texts.en.js"));
        given().get("/texts.en.js").then().statusCode(200)
                .body(org.hamcrest.Matchers.containsString("\"signin.oidc\": \"Sign in with your company account\""));
    }
}
