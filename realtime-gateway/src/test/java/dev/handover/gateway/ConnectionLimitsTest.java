package dev.handover.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.testing.AgentSocket;
import dev.handover.testing.InfrastructureResource;
import dev.handover.testing.SocketIoDriver;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * One agent's flood, on either protocol and over any number of connections, is refused at the gateway in the
 * protocol's error format and closed when it goes on, while another agent of the same company is answered as usual
 * (within a second, median of at least five lists asked during the flood).
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class ConnectionLimitsTest {

    private static final int BURST = 5000;
    private static final String LIST = "{\"type\":\"get_stopped_customers\",\"data\":{}}";

    @TestHTTPResource("/")
    URL root;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Test
    void aBurstOf5000RequestsIsRefusedAndClosedWhileAnotherAgentGetsItsList() {
        World world = new World(customerService, companion);
        String customer = world.waitingCustomer(world.page());
        try (var flooder = AgentSocket.connect(ws(), world.token("flooder"), null);
                var calm = AgentSocket.connect(ws(), world.token("calm"), null)) {
            flooder.next("connected");
            calm.next("connected");
            CompletableFuture<Integer> burst = CompletableFuture.supplyAsync(() -> {
                int sent = 0;
                try {
                    for (; sent < BURST; sent++) {
                        flooder.send(LIST);
                    }
                } catch (RuntimeException closed) {
                    // the gateway closed the connection mid-burst
                }
                return sent;
            });
            flooder.next(frame -> "error".equals(frame.path("type").asText()));
            List<Long> waits = listWaits(calm, customer, () -> !burst.isDone());
            System.out.printf("another agent's list during a burst of %d requests: %s ms%n", BURST, waits);
            assertTrue(median(waits) < 1_000, "the other agent waited " + waits + " ms for its list");
            assertTrue(Collections.max(waits) < 5_000, "the other agent waited " + waits + " ms for its list");

            assertEquals(1008, flooder.awaitClose(), "a connection that keeps flooding is closed");
            burst.join();
            long refused = flooder.seen().stream().filter(f -> "Too many requests".equals(f.path("error").asText())).count();
            long served = flooder.seen().stream().filter(f -> "stopped_customers".equals(f.path("type").asText())).count();
            System.out.printf("flooder: %d served, %d refused before the close%n", served, refused);
            assertTrue(refused > 0);
            assertTrue(served <= 64, served + " requests of one connection reached customer-service");
        }
    }

    @Test
    void aSocketIoFloodGetsRateLimitedErrorsAndIsDisconnected() {
        World world = new World(customerService, companion);
        ObjectMapper json = new ObjectMapper();
        try (var driver = new SocketIoDriver()) {
            ObjectNode options = SocketIoDriver.overWebSocket(world.token("flooder"));
            options.put("reconnection", false);
            driver.connect("flood", "http://" + root.getHost() + ":" + root.getPort(), options);
            driver.next("flood", "connect");
            String customer = world.waitingCustomer(world.page());
            try (var calm = AgentSocket.connect(ws(), world.token("calm"), null)) {
                calm.next("connected");
                for (int i = 0; i < 300; i++) {
                    driver.emit("flood", "staff:status", json.createObjectNode());
                }
                var error = driver.next("flood", e -> "error".equals(e.path("event").asText())
                        && "RATE_LIMITED".equals(e.at("/args/0/code").asText()));
                assertEquals("Too many requests", error.at("/args/0/message").asText());
                List<Long> waits = listWaits(calm, customer, () -> false);
                System.out.printf("another agent's list during a Socket.IO flood: %s ms%n", waits);
                assertTrue(median(waits) < 1_000, "the other agent waited " + waits + " ms for its list");
                driver.next("flood", "disconnect");
            }
        }
    }

    /**
     * An agent's connections share one budget: three sockets of one agent, each well within its own rate (20 commands
     * of 40 a window, one at a time), are refused once together they pass the agent's 30 a window (the test
     * profile's), while the same agent's colleague is served.
     */
    @Test
    void oneAgentsConnectionsShareOneAgentsBudget() {
        World world = new World(customerService, companion);
        String customer = world.waitingCustomer(world.page());
        List<AgentSocket> sockets = new ArrayList<>();
        try (var calm = AgentSocket.connect(ws(), world.token("calm"), null)) {
            for (int i = 0; i < 3; i++) {
                AgentSocket socket = AgentSocket.connect(ws(), world.token("many"), null);
                sockets.add(socket);
                socket.next("connected");
            }
            calm.next("connected");
            int served = 0;
            int refused = 0;
            long start = System.nanoTime();
            for (int round = 0; round < 20; round++) {
                for (AgentSocket socket : sockets) {
                    socket.send(LIST);
                    JsonNode answer = socket.next(frame -> "stopped_customers".equals(frame.path("type").asText())
                            || "error".equals(frame.path("type").asText()));
                    if ("error".equals(answer.path("type").asText())) {
                        assertEquals("Too many requests", answer.path("error").asText());
                        refused++;
                    } else {
                        served++;
                    }
                }
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("one agent on 3 connections, 60 commands in a row in %d ms: %d served, %d refused%n",
                    millis, served, refused);
            // a rolling window of 2 s: at most 30 in any 2 s, so 30 more for every 2 s the loop took
            assertTrue(served <= 30 * (1 + millis / 2_000), served + " commands of one agent served in " + millis + " ms");
            assertTrue(refused > 0 || millis > 4_000, "none of the agent's 60 commands was refused");
            calm.send(LIST);
            assertEquals(customer, calm.next("stopped_customers").at("/data/customers/0/customer_id").asText());
        } finally {
            sockets.forEach(AgentSocket::close);
        }
    }

    /** Five list requests of {@code calm}, one after the other, and more while {@code during} holds. */
    private static List<Long> listWaits(AgentSocket calm, String customer, BooleanSupplier during) {
        List<Long> waits = new ArrayList<>();
        while (waits.size() < 5 || during.getAsBoolean()) {
            long start = System.nanoTime();
            calm.send(LIST);
            JsonNode list = calm.next("stopped_customers");
            waits.add((System.nanoTime() - start) / 1_000_000);
            assertEquals(customer, list.at("/data/customers/0/customer_id").asText());
        }
        return waits;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
