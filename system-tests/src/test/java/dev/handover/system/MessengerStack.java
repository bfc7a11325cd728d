package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.util.Map;
import java.util.UUID;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInfrastructure;

/**
 * The three packaged services against Facebook played by WireMock: a bridge with its own app secret, a
 * customer-service that connects pages through that bridge, and a gateway in front of it. One per test JVM,
 * shared by tests that keep to their own pages, companies and customers.
 */
final class MessengerStack {

    private static MessengerStack shared;

    final WireMockServer facebook;
    final ServiceProcess bridge;
    final ServiceProcess customerService;
    final ServiceProcess gateway;
    private final String appSecret;

    private MessengerStack(String name) {
        appSecret = name + "-app-secret";
        facebook = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        facebook.start();
        facebook.stubFor(get(urlPathEqualTo("/v25.0/me")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"Invalid OAuth access token\",\"type\":\"OAuthException\",\"code\":190}}")));
        bridge = TestInfrastructure.start("messenger-bridge", Map.of("MESSENGER_APP_SECRET", appSecret,
                "MESSENGER_VERIFY_TOKEN", name + "-verify", "MESSENGER_GRAPH_BASE_URL", facebook.baseUrl()));
        customerService = TestInfrastructure.start("customer-service", Map.of("MESSENGER_BRIDGE_URL", bridge.url()));
        gateway = TestInfrastructure.start("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL", customerService.url(),
                "GATEWAY_INSTANCE", name + "-" + UUID.randomUUID()));
    }

    /**
     * The one stack of this test JVM for tests that use their own pages and companies (it starts three services,
     * so it is started once); stopped when the JVM ends.
     */
    static synchronized MessengerStack shared() {
        if (shared == null) {
            shared = new MessengerStack("shared");
            Runtime.getRuntime().addShutdownHook(new Thread(shared.facebook::stop, "stop-facebook"));
        }
        return shared;
    }

    /** Facebook's {@code /me} names {@code pageId} (as {@code pageName}) for {@code token}. */
    void pageToken(String pageId, String token, String pageName) {
        facebook.stubFor(get(urlPathEqualTo("/v25.0/me")).withQueryParam("access_token", equalTo(token))
                .willReturn(okJson("{\"id\":\"" + pageId + "\",\"name\":\"" + pageName + "\"}")));
    }

    String ws() {
        return "ws://127.0.0.1:" + gateway.port();
    }

    /** A customer's text, as a webhook signed with the bridge's app secret; the bridge must answer 200. */
    void customerWrites(String pageId, String customer, String text) {
        SignedWebhooks.customerWrites(bridge.url(), appSecret, pageId, customer, "m-" + UUID.randomUUID(), text)
                .then().statusCode(200);
    }
}
