package dev.handover.customer;

import static dev.handover.customer.Fixtures.as;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** With {@code JWT_AUDIENCES} set (as for a shared identity provider), only tokens issued for Handover pass. */
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
        as(TestTokens.agent("a", "co-aud")).get("/api/dashboard/pages").then().statusCode(401);
        as(TestTokens.withAudience("a", "co-aud", "another-api")).get("/api/dashboard/pages").then().statusCode(401);
        as(TestTokens.withAudience("a", "co-aud", "handover-api")).get("/api/dashboard/pages").then().statusCode(200);
    }
}
