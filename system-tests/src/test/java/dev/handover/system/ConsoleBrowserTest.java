package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.handover.testing.ServiceProcess;
import dev.handover.testing.TestInfrastructure;
import dev.handover.testing.TestTokens;
import io.restassured.http.ContentType;

/**
 * The agents' web console in headless Chromium, against the packaged services, the Messenger sandbox and the
 * company's identity provider (oidc-provider from npm, started here with the test key): agents sign in with it
 * (authorization code with PKCE), their short-lived tokens are renewed on the open connection.
 */
class ConsoleBrowserTest {

    private static final String PAGE = "8" + (System.nanoTime() % 1_000_000_000L);
    private static final String COMPANY = "co-" + UUID.randomUUID().toString().substring(0, 8);
    private static final String CLIENT_ID = "handover-console";
    private static final String RESOURCE = "https://api.handover.test/";
    /** Short, so that the test sees renewals on the open connection. */
    private static final int ACCESS_TOKEN_SECONDS = 20;
    private static String issuer;
    private static Process idp;
    private static ServiceProcess bridge;
    private static ServiceProcess customerService;
    private static ServiceProcess gateway;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(chromium), "Chromium is missing at " + chromium
                + "; install it with: sudo apt-get update && sudo apt-get install -y chromium"
                + " (README's test command, ./handover test, installs it when it may)");
        int idpPort = ServiceProcess.freePort();
        issuer = "http://127.0.0.1:" + idpPort;
        // the services trust the provider: its issuer, its keys from its JWKS address
        Map<String, String> trust = Map.of("MP_JWT_VERIFY_ISSUER", issuer, "JWT_PUBLIC_KEY_LOCATION", issuer + "/jwks");
        bridge = TestInfrastructure.start("messenger-bridge", with(trust, "MESSENGER_APP_SECRET", "handover-local-app-secret",
                "MESSENGER_VERIFY_TOKEN", "console-verify", "MESSENGER_SANDBOX_ENABLED", "true"),
                List.of("-Dmessenger.sandbox.page-names." + PAGE + "=Console Shop"));
        customerService = TestInfrastructure.start("customer-service", with(trust, "MESSENGER_BRIDGE_URL", bridge.url()));
        gateway = TestInfrastructure.start("realtime-gateway", with(trust, "CUSTOMER_SERVICE_URL", customerService.url(),
                "GATEWAY_INSTANCE", "console-" + UUID.randomUUID(), "GATEWAY_EXPIRY_SWEEP_INTERVAL", "1s",
                "GATEWAY_CONSOLE_OIDC_ISSUER", issuer, "GATEWAY_CONSOLE_OIDC_CLIENT_ID", CLIENT_ID,
                "GATEWAY_CONSOLE_OIDC_RESOURCE", RESOURCE));
        ProcessBuilder provider = new ProcessBuilder("node", "idp.mjs").directory(new File("src/test/browser"))
                .redirectErrorStream(true).redirectOutput(Path.of("target", "idp.log").toAbsolutePath().toFile());
        provider.environment().putAll(Map.of("IDP_PORT", String.valueOf(idpPort), "IDP_CLIENT_ID", CLIENT_ID,
                "IDP_REDIRECT_URI", gateway.url() + "/", "IDP_RESOURCE", RESOURCE,
                "IDP_PRIVATE_KEY_PEM", TestTokens.privateKeyPem(),
                "IDP_ACCESS_TOKEN_SECONDS", String.valueOf(ACCESS_TOKEN_SECONDS),
                "IDP_USERS", "{\"alice\":" + user("Alice Agent", "agent") + ",\"bob\":" + user("Bob Agent", "agent")
                        + ",\"boss\":" + user("Boss Admin", "agent\",\"admin") + "}"));
        idp = provider.start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> http.send(
                HttpRequest.newBuilder(URI.create(issuer + "/.well-known/openid-configuration")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
    }

    private static String user(String name, String groups) {
        String id = name.split(" ")[0].toLowerCase();
        return "{\"name\":\"" + name + "\",\"email\":\"" + id + "@example.com\",\"company_id\":\"" + COMPANY
                + "\",\"groups\":[\"" + groups + "\"]}";
    }

    private static Map<String, String> with(Map<String, String> base, String... pairs) {
        Map<String, String> env = new java.util.HashMap<>(base);
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @AfterAll
    static void stop() {
        if (idp != null) {
            idp.destroy();
        }
        for (ServiceProcess service : new ServiceProcess[] { gateway, customerService, bridge }) {
            if (service != null) {
                service.close();
            }
        }
    }

    @Test
    void agentsSignInWithTheProviderSeeACustomerOneTakesItAndMessagesGoBothWays() throws IOException, InterruptedException {
        String admin = TestTokens.signAs(issuer, "boss", COMPANY, "Boss Admin", List.of("agent", "admin"));
        // connected the way the local stack does it: the sandbox's Graph API vouches for the sandbox token
        given().baseUri(customerService.url()).auth().oauth2(admin)
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"sandbox-page-token-" + PAGE + "\"}")
                .post("/api/admin/pages").then().statusCode(201).body("page_name", org.hamcrest.Matchers.equalTo("Console Shop"));
        given().baseUri(customerService.url()).auth().oauth2(admin).contentType(ContentType.JSON)
                .body("{\"canned_replies\":[{\"shortcut\":\"thanks\",\"text\":\"Thank you for your patience, Maria!\"}]}")
                .put("/api/admin/settings").then().statusCode(200);
        // the sign-in page offers the provider
        given().baseUri(gateway.url()).get("/api/console/sign-in").then().statusCode(200)
                .body("oidc.issuer", org.hamcrest.Matchers.equalTo(issuer))
                .body("oidc.client_id", org.hamcrest.Matchers.equalTo(CLIENT_ID));

        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Path log = Path.of("target", "console-browser-test.log").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", "console.test.mjs")
                .directory(new File("src/test/browser")).redirectErrorStream(true).redirectOutput(log.toFile());
        node.environment().putAll(Map.of("GATEWAY_URL", gateway.url(), "BRIDGE_URL", bridge.url(), "PAGE_ID", PAGE,
                // bob is a developer pasting a token (signed with the provider's key, as the provider would)
                "TOKEN_BOB", TestTokens.signAs(issuer, "bob", COMPANY, "Bob Agent", List.of("agent")),
                "ACCESS_TOKEN_SECONDS", String.valueOf(ACCESS_TOKEN_SECONDS),
                "SCREENSHOTS", screenshots.toString()));
        Process run = node.start();
        assertTrue(run.waitFor(180, TimeUnit.SECONDS), "the browser test did not finish; see " + log);
        assertEquals(0, run.exitValue(), "the browser test failed:\n" + Files.readString(log)
                + "\nidp log:\n" + Files.readString(Path.of("target", "idp.log")));
        for (String shot : List.of("0-sign-in.png", "2-customer-waiting.png", "3-taken-by-alice-phone.png", "4-conversation.png",
                "5-report.png", "5-report-phone.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, shot + " is missing or empty");
        }
    }
}
