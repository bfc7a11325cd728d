package dev.handover.gateway.websocket;

import java.util.concurrent.Executor;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.impl.ContextInternal;

/**
 * What both agent protocols do with a freshly upgraded Vert.x socket: find the event loop it lives on (broadcasts
 * batch their writes per loop), and let go of the upgrade request's headers, which Vert.x would otherwise keep for
 * the connection's lifetime (with the agent's token among them, a third of an idle connection's heap).
 */
public final class Sockets {

    private Sockets() {
    }

    /** The event loop the caller runs on, the one its connection writes from; {@code null} off the event loops. */
    public static Executor currentLoop() {
        Context context = Vertx.currentContext();
        return context instanceof ContextInternal internal && context.isEventLoopContext() ? internal.nettyEventLoop() : null;
    }

    /** Drops the upgrade request's headers from {@code socket}: read what is needed from them before. */
    public static void forgetHeaders(ServerWebSocket socket) {
        socket.headers().clear();
    }
}
