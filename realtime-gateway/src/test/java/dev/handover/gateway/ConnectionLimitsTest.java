package dev.handover.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.util.concurrent.CompletableFuture;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

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
 * One agent's flood, on either protocol, is refused at the gateway in the protocol's error format and closed
 * when it goes on, while another agent of the same company is answered as usual.
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
            long start = System.nanoTime();
            calm.send(LIST);
            var list = calm.next("stopped_customers");
            long millis = (System.nanoTime() - start) / 1_000_000;
            System.out.printf("another agent's list during a burst of %d requests: %d ms%n", BURST, millis);
            assertEquals(customer, list.at("/data/customers/0/customer_id").asText());
            assertTrue(millis < 3_000, "the other agent waited " + millis + " ms for its list");

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
            ObjectNode options = json.createObjectNode();
            options.putObject("auth").put("token", world.token("flooder"));
            options.putArray("transports").add("websocket");
            options.put("reconnection", false);
            driver.connect("flood", "http://" + root.getHost() + ":" + root.getPort(), options);
            driver.next("flood", "connect");
            for (int i = 0; i < 300; i++) {
                driver.emit("flood", "staff:status", json.createObjectNode());
            }
            var error = driver.next("flood", e -> "error".equals(e.path("event").asText())
                    && "RATE_LIMITED".equals(e.at("/args/0/code").asText()));
            assertEquals("Too many requests", error.at("/args/0/message").asText());
            driver.next("flood", "disconnect");
        }
    }

    private String ws() {
        return "ws://" + root.getHost() + ":" + root.getPort();
    }
}
