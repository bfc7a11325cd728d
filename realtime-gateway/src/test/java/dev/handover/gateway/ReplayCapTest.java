package dev.handover.gateway;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * The replay memory has a ceiling across companies ({@code gateway.replay-events-total}): once it is reached, a
 * company that publishes keeps only its newest {@code replay-events-min}, so memory is bounded by the total plus
 * the minimum per company followed here, and an agent of such a company who missed more is asked to resync.
 */
@QuarkusTest
@TestProfile(ReplayCapTest.Cap.class)
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class ReplayCapTest {

    private static final int COMPANIES = 20;
    private static final int EVENTS = 30;
    private static final int TOTAL = 200;
    private static final int MIN = 10;

    /** A small ceiling, so that 20 companies of 30 events pass it. */
    public static class Cap implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.replay-events-total", String.valueOf(TOTAL), "gateway.replay-events-min",
                    String.valueOf(MIN));
        }
    }

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Test
    void pastTheTotalEachCompanyKeepsItsNewestAndAnAgentWhoMissedMoreResyncs() {
        List<AgentSocket> watchers = new ArrayList<>();
        World last = null;
        List<Long> lastSeqs = new ArrayList<>();
        try {
            for (int c = 0; c < COMPANIES; c++) {
                World world = new World(customerService, companion);
                AgentSocket watcher = AgentSocket.connect(ws(), world.token("watcher"), null);
                watchers.add(watcher);
                watcher.next("connected");
                world.broadcast(World.id("psid"), "event", EVENTS);
                lastSeqs.clear();
                for (int e = 0; e < EVENTS; e++) {
                    lastSeqs.add(watcher.next("agent_requested").get("seq").asLong());
                }
                last = world;
            }
            double kept = await().atMost(World.WAIT).until(this::replayEventsKept, k -> k >= 0);
            System.out.printf("replay memory after %d companies of %d events (total %d, min %d): %.0f events%n",
                    COMPANIES, EVENTS, TOTAL, MIN, kept);
            assertTrue(kept <= TOTAL + COMPANIES * MIN, kept + " events kept");
            assertTrue(kept < COMPANIES * EVENTS, "nothing was given up: " + kept);

            // the last company published past the total: it kept its newest MIN events, no more
            try (var missedFive = AgentSocket.connect(ws(), last.token("late"), lastSeqs.get(EVENTS - 6))) {
                missedFive.next("connected");
                for (int e = EVENTS - 5; e < EVENTS; e++) {
                    assertEquals(lastSeqs.get(e), missedFive.next("agent_requested").get("seq").asLong());
                }
            }
            try (var missedAll = AgentSocket.connect(ws(), last.token("later"), lastSeqs.get(0))) {
                missedAll.next("connected");
                JsonNode resync = missedAll.next("resync_required");
                assertEquals(lastSeqs.get(0), resync.get("last_seq").asLong());
            }
        } finally {
            watchers.forEach(AgentSocket::close);
        }
    }

    private double replayEventsKept() {
        String metrics = io.restassured.RestAssured.given().baseUri(root.toString()).get("/q/metrics").then().statusCode(200)
                .extract().asString();
        return metrics.lines().filter(l -> l.startsWith("handover_gateway_replay_events ")).mapToDouble(
                l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1))).findFirst().orElse(-1);
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
