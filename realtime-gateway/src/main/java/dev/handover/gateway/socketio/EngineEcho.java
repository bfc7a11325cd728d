package dev.handover.gateway.socketio;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Engine.IO reference test server's behaviour at {@code /engine.io/}: every message, text or binary, is sent
 * back. Only reachable with {@code gateway.socket-io.test-handlers}, for the official {@code engine.io-protocol}
 * test suite.
 */
@ApplicationScoped
class EngineEcho implements EngineHandler {

    @Override
    public void message(EngineSession session, String text) {
        session.send("4" + text);
    }

    @Override
    public void binary(EngineSession session, byte[] data) {
        session.sendBinary(data);
    }

    @Override
    public boolean connected(EngineSession session) {
        return true;
    }

    @Override
    public void closed(EngineSession session) {
        // nothing kept per session
    }
}
