package dev.handover.messenger;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** With {@code JWT_AUDIENCES} set, the bridge's page connections take only tokens issued for Handover. */
@QuarkusTest
@TestProfile(AudienceTest.Audience.class)
@WithTestResource(InfrastructureResource.class)
class AudienceTest {

    /** The audience an identity provider puts in Handover's tokens. */
    public static class Audience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.audiences", "handover-api");
        }
    }

    @Test
    void onlyTokensForTheConfiguredAudienceAreAccepted() {
        for (String refused : new String[] { TestTokens.admin("a", "co-aud"),
                TestTokens.withAudience("a", "co-aud", "another-api") }) {
            given().auth().oauth2(refused).contentType(ContentType.JSON).body("{}").put("/api/admin/page-connections/p")
                    .then().statusCode(401);
        }
        // the right audience authenticates: this agent is then refused for not being an admin, not for the token
        given().auth().oauth2(TestTokens.withAudience("a", "co-aud", "handover-api")).contentType(ContentType.JSON)
                .body("{}").put("/api/admin/page-connections/p").then().statusCode(403);
    }
}
