package dev.handover.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
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
 * The reference test server's handlers ({@code GATEWAY_SOCKET_IO_TEST_HANDLERS}), which the official protocol
 * suites need: {@code auth} with the CONNECT payload on {@code /} and {@code /custom}, {@code message-back},
 * {@code message-with-ack}, binary attachments sent back on both, and the Engine.IO echo on {@code /engine.io/}.
 */
@QuarkusTest
@TestProfile(SocketIoTestHandlersTest.Handlers.class)
@WithTestResource(value = InfrastructureResource.class, initArgs = {
        @ResourceArg(name = InfrastructureResource.MONGO, value = "false"),
        @ResourceArg(name = InfrastructureResource.WITH, value = "customer-service") })
class SocketIoTestHandlersTest {

    /** The suites' settings: the reference handlers on, no connection state recovery. */
    public static class Handlers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.socket-io.test-handlers", "true", "gateway.socket-io.connection-state-recovery", "false");
        }
    }

    @TestHTTPResource("/")
    URL root;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void namespacesEventsAcksAndBinaryAnswerAsTheReferenceServer() throws Exception {
        var frames = new LinkedBlockingQueue<Object>();
        WebSocket socket = open("/socket.io/", frames);
        assertTrue(((String) next(frames)).startsWith("0{\"sid\":"));
        socket.sendText("40/custom,{\"token\":\"abc\"}", true).join();
        assertTrue(((String) next(frames)).matches("40/custom,\\{\"sid\":\"[^\"]+\"}"));
        assertEquals("42/custom,[\"auth\",{\"token\":\"abc\"}]", next(frames));
        socket.sendText("40", true).join();
        assertTrue(((String) next(frames)).matches("40\\{\"sid\":\"[^\"]+\"}"));
        assertEquals("42[\"auth\",{}]", next(frames));

        socket.sendText("42[\"message\",1,\"2\",{\"3\":[true]}]", true).join();
        assertEquals("42[\"message-back\",1,\"2\",{\"3\":[true]}]", next(frames));
        socket.sendText("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]", true).join();
        assertEquals("43456[1,\"2\",{\"3\":[false]}]", next(frames));
        socket.sendText("452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", true).join();
        socket.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3 }), true).join();
        socket.sendBinary(ByteBuffer.wrap(new byte[] { 4, 5, 6 }), true).join();
        assertEquals("462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]", next(frames));
        assertArrayEquals(new byte[] { 1, 2, 3 }, (byte[]) next(frames));
        assertArrayEquals(new byte[] { 4, 5, 6 }, (byte[]) next(frames));
        // leaving /custom leaves / alone
        socket.sendText("41/custom", true).join();
        socket.sendText("42[\"message\",\"still here\"]", true).join();
        assertEquals("42[\"message-back\",\"still here\"]", next(frames));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    @Test
    void engineIoEchoesTextAndBinary() throws Exception {
        var frames = new LinkedBlockingQueue<Object>();
        WebSocket socket = open("/engine.io/", frames);
        assertTrue(((String) next(frames)).startsWith("0{\"sid\":"));
        socket.sendText("4hello", true).join();
        assertEquals("4hello", next(frames));
        socket.sendBinary(ByteBuffer.wrap(new byte[] { 1, 2, 3, 4 }), true).join();
        assertArrayEquals(new byte[] { 1, 2, 3, 4 }, (byte[]) next(frames));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }

    private WebSocket open(String path, LinkedBlockingQueue<Object> frames) {
        return http.newWebSocketBuilder().buildAsync(URI.create("ws://" + root.getHost() + ":" + root.getPort() + path
                + "?EIO=4&transport=websocket"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        if (!"2".contentEquals(data)) {
                            frames.add(data.toString());
                        } else {
                            webSocket.sendText("3", true);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                        byte[] bytes = new byte[data.remaining()];
                        data.get(bytes);
                        frames.add(bytes);
                        webSocket.request(1);
                        return null;
                    }
                }).join();
    }

    private static Object next(LinkedBlockingQueue<Object> frames) throws InterruptedException {
        Object frame = frames.poll(5, TimeUnit.SECONDS);
        assertTrue(frame != null, "no frame within 5 s");
        return frame;
    }
}
