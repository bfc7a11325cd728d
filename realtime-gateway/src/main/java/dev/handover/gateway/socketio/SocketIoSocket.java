package dev.handover.gateway.socketio;

import io.smallrye.common.annotation.NonBlocking;
import io.quarkus.websockets.next.OnBinaryMessage;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * The staff console's endpoint at {@code /socket.io/}: the WebSocket transport here, HTTP long-polling on the
 * same path through a route that lets WebSocket upgrades through. Authentication happens in the Socket.IO
 * CONNECT (and {@code staff:auth}), not at the upgrade: that is how the official client sends its token.
 */
@WebSocket(path = "/socket.io")
public class SocketIoSocket {

    private final EngineServer engine;

    public SocketIoSocket(EngineServer engine) {
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
