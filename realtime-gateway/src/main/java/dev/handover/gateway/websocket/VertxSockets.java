package dev.handover.gateway.websocket;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.concurrent.Executor;

import io.quarkus.websockets.next.Connection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketBase;
import io.vertx.core.impl.ContextInternal;

/**
 * The Vert.x socket under a websockets-next connection, and the event loop it lives on. Broadcasts write to it
 * directly: websockets-next's {@code sendText} builds a Mutiny pipeline and captures the request context for every
 * frame, which a profile of the fan-out (10,000 agents, 50,000 frames/s) showed to be most of what the gateway did
 * beyond the write itself. websockets-next keeps the socket to itself, hence the one reflective look-up at start.
 */
public final class VertxSockets {

    private static final MethodHandle WEB_SOCKET = webSocketAccessor();

    private VertxSockets() {
    }

    /** The Vert.x socket of {@code connection}. */
    public static WebSocketBase socket(Connection connection) {
        try {
            return (WebSocketBase) WEB_SOCKET.invoke(connection);
        } catch (Throwable e) {
            throw new IllegalStateException("No Vert.x socket under " + connection, e);
        }
    }

    /** The event loop the caller runs on, the one its connection writes from; {@code null} off the event loops. */
    public static Executor currentLoop() {
        Context context = Vertx.currentContext();
        return context instanceof ContextInternal internal && context.isEventLoopContext() ? internal.nettyEventLoop() : null;
    }

    private static MethodHandle webSocketAccessor() {
        try {
            Method method = Class.forName("io.quarkus.websockets.next.runtime.WebSocketConnectionBase", false,
                    Connection.class.getClassLoader()).getDeclaredMethod("webSocket");
            method.setAccessible(true);
            return MethodHandles.lookup().unreflect(method);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
