package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import dev.handover.gateway.service.CompanyChannels;
import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;

/**
 * Engine.IO and Socket.IO edges in raw frames: errors answered with the protocol's status and body, the upgrade
 * finished as soon as the probe succeeds (the waiting poll gets a noop at once, not at the next ping), and a second
 * CONNECT that replaces the first agent session instead of doubling every broadcast.
 */
@QuarkusTest
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class EngineProtocolTest {

    @TestHTTPResource("/socket.io/")
    URL engine;

    @ConfigProperty(name = "gateway.customer-service-url")
    String customerService;

    KafkaCompanion companion;

    @Inject
    CompanyChannels channels;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void malformedRequestsGetFourHundredsNotServerErrors() {
        given().contentType("text/plain").body("40").post(engine + "?EIO=4&transport=polling").then().statusCode(400)
                .body("message", equalTo("Session ID unknown"));
        given().put(engine + "?EIO=4&transport=polling").then().statusCode(400).body("message", equalTo("Bad handshake method"));
        given().get(engine + "?EIO=3&transport=polling").then().statusCode(400);
        given().get(engine + "?EIO=4&transport=polling&sid=nobody").then().statusCode(400)
                .body("message", equalTo("Session ID unknown"));
    }

    @Test
    void pollingAcrossOriginsIsAllowedOnlyForTheConfiguredOrigins() {
        given().header("Origin", "https://console.example").options(engine + "?EIO=4&transport=polling").then()
                .statusCode(204).header("Access-Control-Allow-Origin", "https://console.example")
                .header("Access-Control-Allow-Credentials", "true")
                .header("Access-Control-Allow-Methods", "GET, POST");
        given().header("Origin", "https://console.example").get(engine + "?EIO=4&transport=polling").then().statusCode(200)
                .header("Access-Control-Allow-Origin", "https://console.example");
        given().header("Origin", "https://evil.example").get(engine + "?EIO=4&transport=polling").then().statusCode(200)
                .header("Access-Control-Allow-Origin", org.hamcrest.Matchers.nullValue());
        given().header("Origin", "https://evil.example").options(engine + "?EIO=4&transport=polling").then().statusCode(400);
    }

    @Test
    void theWaitingPollGetsANoopAsSoonAsTheProbeSucceeds() throws Exception {
        String sid = handshake();
        // the poll waits: nothing is queued, and the next ping is 25 s away
        CompletableFuture<HttpResponse<String>> poll = http.sendAsync(HttpRequest.newBuilder(URI.create(engine
                + "?EIO=4&transport=polling&sid=" + sid)).GET().build(), HttpResponse.BodyHandlers.ofString());
        var frames = new LinkedBlockingQueue<String>();
        WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(engine.toString().replace("http", "ws")
                + "?EIO=4&transport=websocket&sid=" + sid), listener(frames)).join();
        socket.sendText("2probe", true).join();
        assertEquals("3probe", frames.poll(5, TimeUnit.SECONDS));
        HttpResponse<String> ended = poll.get(5, TimeUnit.SECONDS);
        assertEquals(200, ended.statusCode());
        assertEquals("6", ended.body());
        socket.sendText("5", true).join();
        // upgraded: a poll for the session is refused, and the session lives on over the WebSocket
        given().get(engine + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(400);
        socket.sendText("3", true).join();
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void aSecondConnectReplacesTheFirstAgentSession() throws Exception {
        World world = new World(customerService, companion);
        String sid = handshake();
        String connect = "40{\"token\":\"" + world.token("alice") + "\"}";
        post(sid, connect);
        await().atMost(World.WAIT).until(() -> agents(world.company) == 1);
        post(sid, connect);
        post(sid, connect);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> agents(world.company) == 1);
        // and a refused token leaves no session behind
        post(sid, "40{\"token\":\"not-a-token\"}");
        await().atMost(World.WAIT).until(() -> agents(world.company) == 0);
    }

    private long agents(String company) {
        return channels.sessions().stream().filter(s -> company.equals(s.companyId()) && !s.closed()).count();
    }

    private String handshake() {
        String open = given().get(engine + "?EIO=4&transport=polling").then().statusCode(200).extract().asString();
        assertTrue(open.startsWith("0{"), open);
        return open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
    }

    private void post(String sid, String packet) {
        given().contentType("text/plain;charset=UTF-8").body(packet).post(engine + "?EIO=4&transport=polling&sid=" + sid)
                .then().statusCode(200);
    }

    private static WebSocket.Listener listener(LinkedBlockingQueue<String> frames) {
        return new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                frames.add(data.toString());
                webSocket.request(1);
                return null;
            }
        };
    }
}
