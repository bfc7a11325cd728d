package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.handover.testing.InfrastructureResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Engine.IO's and Socket.IO's clocks at the protocol suites' reference settings (ping every 300 ms, 200 ms to
 * answer, 1 s to CONNECT, maxPayload 1,000,000): a client that answers no ping is gone after the interval and the
 * timeout, on either transport; one that never sends CONNECT is closed after the connect timeout; a WebSocket
 * message over the advertised maxPayload ends the session.
 */
@QuarkusTest
@TestProfile(EngineHeartbeatTest.ReferenceClocks.class)
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class EngineHeartbeatTest {

    /** The settings of the suites' READMEs. */
    public static class ReferenceClocks implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.socket-io.ping-interval", "300ms", "gateway.socket-io.ping-timeout", "200ms",
                    "gateway.socket-io.connect-timeout", "1s", "gateway.socket-io.max-payload", "1000000");
        }
    }

    @TestHTTPResource("/socket.io/")
    URL engine;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aPollingClientThatAnswersNoPingIsGoneAfterTheIntervalAndTheTimeout() {
        long asked = System.nanoTime();
        String sid = handshake();
        // the first poll is answered by the ping, one interval after the session began (after it was asked for)
        String first = given().get(engine + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(200).extract().asString();
        assertEquals("2", first);
        assertTrue(elapsedMs(asked) >= 290, "pinged after " + elapsedMs(asked) + " ms");
        // no pong: within the timeout the session is gone, and a poll is refused
        await().atMost(Duration.ofSeconds(3)).until(() -> given().get(engine + "?EIO=4&transport=polling&sid=" + sid)
                .then().extract().statusCode() == 400);
        assertTrue(elapsedMs(asked) >= 490, "closed after " + elapsedMs(asked) + " ms, before interval + timeout");
    }

    @Test
    void aWebSocketClientThatAnswersNoPingIsClosed() throws Exception {
        var frames = new LinkedBlockingQueue<String>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = open(frames, closed);
        assertTrue(frames.poll(5, TimeUnit.SECONDS).startsWith("0{"), "the open packet");
        socket.sendText("40", true).join();
        assertTrue(frames.poll(5, TimeUnit.SECONDS).startsWith("40{"), "connected");
        assertEquals("2", frames.poll(5, TimeUnit.SECONDS));
        closed.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aClientThatNeverConnectsIsClosedAfterTheConnectTimeout() throws Exception {
        var frames = new LinkedBlockingQueue<String>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        long opened = System.nanoTime();
        // every ping answered as it arrives: Engine.IO is content, only the missing CONNECT ends it
        open(frames, closed, true);
        assertTrue(frames.poll(5, TimeUnit.SECONDS).startsWith("0{"), "the open packet");
        closed.get(5, TimeUnit.SECONDS);
        assertTrue(frames.contains("2"), "pinged (and answered) before the close");
        assertTrue(elapsedMs(opened) >= 900, "closed after " + elapsedMs(opened) + " ms, before the connect timeout");
    }

    @Test
    void aWebSocketMessageOverTheAdvertisedMaxPayloadEndsTheSession() throws Exception {
        var frames = new LinkedBlockingQueue<String>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = open(frames, closed);
        String open = frames.poll(5, TimeUnit.SECONDS);
        assertTrue(open.contains("\"maxPayload\":1000000"), open);
        socket.sendText("4" + "x".repeat(1_000_000), true);
        closed.get(5, TimeUnit.SECONDS);
    }

    private WebSocket open(LinkedBlockingQueue<String> frames, CompletableFuture<Integer> closed) {
        return open(frames, closed, false);
    }

    private WebSocket open(LinkedBlockingQueue<String> frames, CompletableFuture<Integer> closed, boolean pong) {
        return http.newWebSocketBuilder().buildAsync(URI.create(engine.toString().replace("http", "ws")
                + "?EIO=4&transport=websocket"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        frames.add(data.toString());
                        if (pong && "2".contentEquals(data)) {
                            webSocket.sendText("3", true);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete(-1);
                    }
                }).join();
    }

    private String handshake() {
        String open = given().get(engine + "?EIO=4&transport=polling").then().statusCode(200).extract().asString();
        assertTrue(open.startsWith("0{"), open);
        return open.substring(open.indexOf("\"sid\":\"") + 7, open.indexOf('"', open.indexOf("\"sid\":\"") + 7));
    }

    private static long elapsedMs(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }
}
