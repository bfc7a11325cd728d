package dev.handover.gateway.socketio;

/**
 * What runs on top of an Engine.IO session: Socket.IO for the staff console ({@link SocketIoServer}), or the
 * reference test server's echo for the protocol suites ({@link EngineEcho}).
 */
interface EngineHandler {

    /** A text message packet's payload. */
    void message(EngineSession session, String text);

    /** A binary message (a WebSocket binary frame, or a {@code b}-prefixed base64 packet on polling). */
    void binary(EngineSession session, byte[] data);

    /** Whether the session did what the layer above needs in time (Socket.IO's CONNECT); checked by the heartbeat. */
    boolean connected(EngineSession session);

    void closed(EngineSession session);
}
