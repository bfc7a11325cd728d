package dev.handover.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;

import com.github.tomakehurst.wiremock.WireMockServer;

import dev.handover.events.Topics;
import dev.handover.infra.InfraProcess;
import dev.handover.testing.GraphApiMock;
import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInfrastructure;

/**
 * The three packaged services against Facebook played by WireMock: a bridge with its own app secret, a
 * customer-service that connects pages through that bridge, and a gateway in front of it, all three exporting their
 * spans to the test JVM's {@link TraceCollector} (as every service the system tests start does, see {@link Traced}).
 * One per test JVM, shared by tests that keep to their own pages, companies and customers; or {@link #isolated} on a
 * broker and wire server of its own, where no replica another test started shares its consumer groups.
 */
final class MessengerStack implements AutoCloseable {

    private static MessengerStack shared;

    final WireMockServer facebook;
    final TraceCollector traces;
    final ServiceProcess bridge;
    final ServiceProcess customerService;
    final ServiceProcess gateway;
    private final String appSecret;
    private final InfraProcess infra;

    private MessengerStack(String name, InfraProcess infra, BiFunction<String, Map<String, String>, ServiceProcess> starter) {
        this.infra = infra;
        appSecret = name + "-app-secret";
        facebook = GraphApiMock.start();
        facebook.stubFor(get(urlPathEqualTo("/v25.0/me")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody(
                        "{\"error\":{\"message\":\"Invalid OAuth access token\",\"type\":\"OAuthException\",\"code\":190}}")));
        traces = Traced.collector();
        bridge = starter.apply("messenger-bridge", Map.of("MESSENGER_APP_SECRET", appSecret,
                "MESSENGER_VERIFY_TOKEN", name + "-verify", "MESSENGER_GRAPH_BASE_URL", facebook.baseUrl()));
        customerService = starter.apply("customer-service", Map.of("MESSENGER_BRIDGE_URL", bridge.url()));
        gateway = starter.apply("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL", customerService.url(),
                "GATEWAY_INSTANCE", name + "-" + UUID.randomUUID()));
    }

    /**
     * A stack on a broker and wire server of its own (under {@code target/<name>}), exporting its spans to the test
     * JVM's collector; the caller closes it.
     */
    static MessengerStack isolated(String name) {
        Path home = Path.of("target", name + "-" + System.nanoTime());
        try {
            Files.createDirectories(home);
            int kafka = ServiceProcess.freePort();
            int mongo = ServiceProcess.freePort();
            InfraProcess infra = InfraProcess.start(List.of("--data-dir", home.resolve("data").toString(), "--kafka",
                    String.valueOf(kafka), "--mongo", String.valueOf(mongo), "--topics", String.join(",",
                            Topics.MESSENGER_INBOUND + ":4", Topics.MESSENGER_OUTBOUND + ":4", Topics.MESSENGER_DELIVERY + ":4",
                            Topics.CUSTOMER_EVENTS + ":4", Topics.STAFF_TYPING + ":1", Topics.STAFF_PRESENCE + ":1")),
                    home.resolve("infra.log"), 90);
            Map<String, String> common = TestInfrastructure.environment(infra.kafkaBootstrapServers(),
                    infra.mongoConnectionString());
            common.putAll(Traced.collector().exportEnvironment());
            return new MessengerStack(name, infra, (module, env) -> {
                Map<String, String> all = new HashMap<>(common);
                all.putAll(env);
                try {
                    return ServiceProcess.start(module, all, home.resolve(module + ".log"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops an {@link #isolated} stack: its services, its infrastructure, its Facebook. */
    @Override
    public void close() {
        gateway.close();
        customerService.close();
        bridge.close();
        if (infra != null) {
            infra.close();
        }
        facebook.stop();
    }

    /**
     * The one stack of this test JVM for tests that use their own pages and companies (it starts three services,
     * so it is started once); stopped when the JVM ends.
     */
    static synchronized MessengerStack shared() {
        if (shared == null) {
            shared = new MessengerStack("shared", null, TestInfrastructure::start);
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

    /** A customer's text, as a webhook signed with the bridge's app secret; the bridge must answer 200. Its mid. */
    String customerWrites(String pageId, String customer, String text) {
        String mid = "m-" + UUID.randomUUID();
        SignedWebhooks.customerWrites(bridge.url(), appSecret, pageId, customer, mid, text).then().statusCode(200);
        return mid;
    }
}
