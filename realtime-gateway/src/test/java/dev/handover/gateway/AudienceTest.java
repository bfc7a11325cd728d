package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URL;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.SocketIoDriver;
import dev.handover.testing.TestTokens;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With {@code JWT_AUDIENCES} set, the gateway takes only tokens issued for Handover on every way in: its REST
 * routes, the JSON WebSocket's upgrade and Socket.IO's CONNECT.
 */
@QuarkusTest
@TestProfile(AudienceTest.Audience.class)
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class AudienceTest {

    /** The audience an identity provider puts in Handover's tokens. */
    public static class Audience implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.jwt.verify.audiences", "handover-api");
        }
    }

    @TestHTTPResource("/")
    URL root;

    @Test
    void onlyTokensForTheConfiguredAudienceGetIn() {
        String none = TestTokens.agent("a", "co-aud");
        String other = TestTokens.withAudience("a", "co-aud", "another-api");
        String ours = TestTokens.withAudience("a", "co-aud", "handover-api");
        for (String refused : new String[] { none, other }) {
            given().auth().oauth2(refused).get("/api/console/customers/x/profile?page_id=p").then().statusCode(401);
            assertThrows(RuntimeException.class, () -> AgentSocket.connect(ws(), refused, null));
        }
        try (var socket = AgentSocket.connect(ws(), ours, null)) {
            assertEquals("a", socket.next("connected").get("user_id").asText());
        }
        try (var driver = new SocketIoDriver()) {
            Map.of("other", other, "ours", ours).forEach((id, token) -> {
                ObjectNode options = SocketIoDriver.overWebSocket(token);
                options.put("reconnection", false);
                driver.connect(id, "http://" + root.getHost() + ":" + root.getPort(), options);
                assertEquals("ours".equals(id) ? "connect" : "connect_error",
                        driver.next(id, e -> e.path("event").asText().startsWith("connect")).path("event").asText(), id);
            });
        }
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
