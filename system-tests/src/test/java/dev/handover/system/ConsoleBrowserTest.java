package dev.handover.system;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
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

/** The agents' web console in headless Chromium, against the packaged services and the Messenger sandbox. */
class ConsoleBrowserTest {

    private static final String PAGE = "8" + (System.nanoTime() % 1_000_000_000L);
    private static ServiceProcess bridge;
    private static ServiceProcess customerService;
    private static ServiceProcess gateway;

    @BeforeAll
    static void start() {
        Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
        assertTrue(Files.isExecutable(chromium), "Chromium is missing at " + chromium
                + "; install it with: sudo apt-get update && sudo apt-get install -y chromium"
                + " (README's test command, ./handover test, installs it when it may)");
        bridge = TestInfrastructure.start("messenger-bridge", Map.of("MESSENGER_APP_SECRET", "handover-local-app-secret",
                "MESSENGER_VERIFY_TOKEN", "console-verify", "MESSENGER_SANDBOX_ENABLED", "true"),
                List.of("-Dmessenger.sandbox.page-names." + PAGE + "=Console Shop"));
        customerService = TestInfrastructure.start("customer-service", Map.of("MESSENGER_BRIDGE_URL", bridge.url()));
        gateway = TestInfrastructure.start("realtime-gateway", Map.of("CUSTOMER_SERVICE_URL",
                customerService.url(), "GATEWAY_INSTANCE", "console-" + UUID.randomUUID()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        customerService.close();
        bridge.close();
    }

    @Test
    void twoAgentsSeeACustomerOneTakesItAndMessagesGoBothWays() throws Exception {
        String company = "co-" + UUID.randomUUID().toString().substring(0, 8);
        // connected the way the local stack does it: the sandbox's Graph API vouches for the sandbox token
        given().baseUri(customerService.url()).auth().oauth2(TestTokens.admin("boss", company))
                .contentType(ContentType.JSON).body("{\"page_id\":\"" + PAGE + "\",\"page_access_token\":\"sandbox-page-token-" + PAGE + "\"}")
                .post("/api/admin/pages").then().statusCode(201).body("page_name", org.hamcrest.Matchers.equalTo("Console Shop"));
        Path screenshots = Path.of("target", "screenshots").toAbsolutePath();
        Path log = Path.of("target", "console-browser-test.log").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", "console.test.mjs")
                .directory(new File("src/test/browser")).redirectErrorStream(true).redirectOutput(log.toFile());
        node.environment().putAll(Map.of("GATEWAY_URL", gateway.url(), "BRIDGE_URL", bridge.url(), "PAGE_ID", PAGE,
                "TOKEN_ALICE", TestTokens.sign("alice", company, "Alice Agent", "alice@example.com", List.of("agent"),
                        Duration.ofHours(1), TestTokens.key()),
                "TOKEN_BOB", TestTokens.sign("bob", company, "Bob Agent", "bob@example.com", List.of("agent"),
                        Duration.ofHours(1), TestTokens.key()),
                "TOKEN_ADMIN", TestTokens.sign("boss", company, "Boss Admin", "boss@example.com", List.of("agent", "admin"),
                        Duration.ofHours(1), TestTokens.key()),
                "SCREENSHOTS", screenshots.toString()));
        Process run = node.start();
        assertTrue(run.waitFor(120, TimeUnit.SECONDS), "the browser test did not finish; see " + log);
        assertEquals(0, run.exitValue(), "the browser test failed:\n" + Files.readString(log));
        for (String shot : List.of("2-customer-waiting.png", "3-taken-by-alice-phone.png", "4-conversation.png",
                "5-report.png")) {
            assertTrue(Files.size(screenshots.resolve(shot)) > 10_000, shot + " is missing or empty");
        }
    }
}
