package dev.handover.gateway.socketio;

import io.smallrye.common.annotation.NonBlocking;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * {@code /engine.io/}: the Engine.IO reference server's echo for the official {@code engine.io-protocol} suite,
 * over the same {@link EngineServer}; closed at once unless {@code gateway.socket-io.test-handlers} is on.
 */
@WebSocket(path = "/engine.io")
public class EngineEchoSocket {

    private final EngineServer engine;

    public EngineEchoSocket(EngineServer engine) {
        this.engine = engine;
    }

    @NonBlocking
    @OnOpen
    public void open(WebSocketConnection connection) {
        engine.opened(connection);
    }

    @NonBlocking
    @OnTextMessage
    public void text(String packet, WebSocketConnection connection) {
        if (!packet.isEmpty()) {
            engine.text(connection, packet);
        }
    }

    @NonBlocking
    @OnBinaryMessage
    public void binary(byte[] data, WebSocketConnection connection) {
        engine.binary(connection, data);
    }

    @NonBlocking
    @OnClose
    public void close(WebSocketConnection connection) {
        engine.closed(connection);
    }
}
