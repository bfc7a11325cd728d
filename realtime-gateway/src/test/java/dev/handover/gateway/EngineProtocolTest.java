package dev.handover.gateway;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    /**
     * A poll written just before the client's close, each on a connection of its own (read perhaps by two event
     * loops): the poll ends with the close's noop, as on a single-threaded server, and only a later poll is refused.
     */
    @Test
    void aPollSentBeforeTheCloseGetsTheNoopWhicheverLoopReadsIt() throws Exception {
        int wrong = 0;
        for (int attempt = 0; attempt < 100; attempt++) {
            String sid = handshake();
            String path = engine.getPath() + "?EIO=4&transport=polling&sid=" + sid;
            try (Socket poll = new Socket(engine.getHost(), engine.getPort());
                    Socket close = new Socket(engine.getHost(), engine.getPort())) {
                poll.setSoTimeout(5000);
                close.setSoTimeout(5000);
                write(poll, "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                write(close, "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n"
                        + "Content-Length: 1\r\n\r\n1");
                assertTrue(read(close).startsWith("HTTP/1.1 200"));
                String ended = read(poll);
                if (!ended.startsWith("HTTP/1.1 200") || !ended.endsWith("\r\n\r\n6")) {
                    wrong++;
                }
            }
            given().get(engine + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(400)
                    .body("message", equalTo("Session ID unknown"));
        }
        assertEquals(0, wrong, "polls answered 400 instead of the noop, of 100");
    }

    /**
     * The upgrade sent over the WebSocket, then at once a poll on a connection of its own: the poll is refused as the
     * session is upgraded, whichever event loop reads it first. Raw sockets on both sides, so that the frame is on
     * the wire before the poll is. (The probe is answered first: Vert.x may start reading a just-upgraded
     * connection a few milliseconds late, so a probe written at once can be read after a later poll.)
     */
    @Test
    void aPollAfterTheUpgradeIsRefusedWhicheverLoopReadsIt() throws Exception {
        int answered = 0;
        for (int attempt = 0; attempt < 100; attempt++) {
            String sid = handshake();
            try (Socket webSocket = new Socket(engine.getHost(), engine.getPort());
                    Socket poll = new Socket(engine.getHost(), engine.getPort())) {
                webSocket.setSoTimeout(5000);
                // as Node's ws does: without it, Nagle holds the second frame until the first is acknowledged
                webSocket.setTcpNoDelay(true);
                poll.setSoTimeout(5000);
                write(webSocket, "GET " + engine.getPath() + "?EIO=4&transport=websocket&sid=" + sid + " HTTP/1.1\r\n"
                        + "Host: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
                assertTrue(read(webSocket).startsWith("HTTP/1.1 101"));
                writeFrame(webSocket, "2probe");
                assertEquals("3probe", readFrame(webSocket));
                writeFrame(webSocket, "5");
                write(poll, "GET " + engine.getPath() + "?EIO=4&transport=polling&sid=" + sid + " HTTP/1.1\r\nHost: localhost\r\n\r\n");
                if (!read(poll).startsWith("HTTP/1.1 400")) {
                    answered++;
                }
            }
        }
        assertEquals(0, answered, "polls answered after the upgrade, of 100");
    }

    /** A client's text frame: final, masked (with a zero mask, which RFC 6455 allows), shorter than 126 bytes. */
    private static void writeFrame(Socket socket, String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        System.arraycopy(payload, 0, frame, 6, payload.length);
        socket.getOutputStream().write(frame);
        socket.getOutputStream().flush();
    }

    /** A server's text frame shorter than 126 bytes, as text. */
    private static String readFrame(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] head = in.readNBytes(2);
        assertEquals(0x81, head[0] & 0xff);
        return new String(in.readNBytes(head[1] & 0x7f), StandardCharsets.UTF_8);
    }

    private static void write(Socket socket, String request) throws IOException {
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** One HTTP/1.1 response with a content-length, as text. */
    private static String read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return head.toString();
            }
            head.append((char) b);
        }
        Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
        return head + new String(in.readNBytes(body), StandardCharsets.UTF_8);
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

    @Test
    void namespacesBinaryPacketsAndBadFormatsAreHandledAsTheProtocolSays() throws Exception {
        String sid = handshake();
        // an unknown namespace is refused by name; the main one connects (without a token: staff:auth may follow)
        post(sid, "40/custom,");
        assertEquals("44/custom,{\"message\":\"Invalid namespace\"}", poll(sid));
        post(sid, "40");
        assertTrue(poll(sid).startsWith("40{\"sid\":"));
        // a binary event with its attachment (base64 on polling) is answered, not a reason to close
        post(sid, "451-0[\"customer:accept\",{\"_placeholder\":true,\"num\":0}]\u001ebAQID");
        assertEquals("430[{\"ok\":false,\"error\":{\"code\":\"INVALID_PAYLOAD\",\"message\":\"Binary data is not accepted here\"}}]",
                poll(sid).split("\u001e")[1]);
        // an event for a namespace the client is not in is dropped; an ack id that is not a number closes
        post(sid, "42/custom,[\"staff:status\",{}]");
        post(sid, "42abc[\"staff:status\",{}]");
        given().get(engine + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(400);

        // a payload that is not Engine.IO: 400, and the session is gone
        String other = handshake();
        given().contentType("text/plain").body("abc").post(engine + "?EIO=4&transport=polling&sid=" + other).then()
                .statusCode(400);
        given().get(engine + "?EIO=4&transport=polling&sid=" + other).then().statusCode(400);

        // the client closes: the session is gone; the one poll that may have been on its way ends with the noop
        String closing = handshake();
        post(closing, "1");
        given().get(engine + "?EIO=4&transport=polling&sid=" + closing).then().statusCode(200).body(equalTo("6"));
        given().get(engine + "?EIO=4&transport=polling&sid=" + closing).then().statusCode(400);

        // more than the advertised maxPayload in one POST: 413
        String big = handshake();
        given().contentType("text/plain").body("4" + "x".repeat(1_000_001)).post(engine + "?EIO=4&transport=polling&sid=" + big)
                .then().statusCode(413);
    }

    @Test
    void aClientBackWithItsPidAndOffsetGetsWhatItMissedAndASessionTooOldStartsAfresh() throws Exception {
        World world = new World(customerService, companion);
        String page = world.page();
        String sid = handshake();
        post(sid, "40{\"token\":\"" + world.token("alice") + "\"}");
        String first = poll(sid);
        String pid = first.substring(first.indexOf("\"pid\":\"") + 7, first.indexOf('"', first.indexOf("\"pid\":\"") + 7));
        String missed = world.waitingCustomer(page);
        String live = await().atMost(World.WAIT).until(() -> poll(sid), frames -> frames.contains(missed));
        // the offset of the last broadcast seen (each one carries the company's seq as its last argument)
        String packet = java.util.Arrays.stream(live.split("\u001e")).filter(p -> p.startsWith("42") && p.endsWith("\"]"))
                .reduce((earlier, later) -> later).orElseThrow();
        String offset = packet.substring(packet.lastIndexOf(",\"") + 2, packet.length() - 2);
        Long.parseLong(offset);
        // a second customer while alice is away, then alice back on a new connection with pid and the offset seen
        post(sid, "1");
        String whileAway = world.waitingCustomer(page);
        String back = handshake();
        post(back, "40{\"token\":\"" + world.token("alice") + "\",\"pid\":\"" + pid + "\",\"offset\":\"" + offset + "\"}");
        String recovered = await().atMost(World.WAIT).until(() -> poll(back), frames -> frames.contains("\"pid\":\"" + pid + "\""));
        assertTrue(recovered.contains(whileAway), recovered);
        assertTrue(!recovered.contains("\"id\":\"" + missed + "\""), "replayed what was seen already: " + recovered);
        // an offset this company never reached: a new pid, so the client reloads
        String lost = handshake();
        post(lost, "40{\"token\":\"" + world.token("alice") + "\",\"pid\":\"" + pid + "\",\"offset\":\"999999999999\"}");
        String fresh = await().atMost(World.WAIT).until(() -> poll(lost), frames -> frames.contains("\"pid\":"));
        assertTrue(!fresh.contains("\"pid\":\"" + pid + "\""), fresh);
    }

    private String poll(String sid) {
        return given().get(engine + "?EIO=4&transport=polling&sid=" + sid).then().statusCode(200).extract().asString();
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
