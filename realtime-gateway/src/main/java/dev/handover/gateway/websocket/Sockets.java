package dev.handover.gateway.websocket;

import java.util.concurrent.Executor;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * What both agent protocols do with a freshly upgraded Vert.x socket: find the event loop it lives on (broadcasts
 * batch their writes per loop), let go of the upgrade request's headers, which Vert.x would otherwise keep for the
 * connection's lifetime (with the agent's token among them, a third of an idle connection's heap), flush once
 * per event-loop task instead of once per frame, and leave liveness to the protocol's own pings (the JSON socket's
 * ping deadline, Engine.IO's ping timeout) rather than the HTTP server's idle timeout.
 */
public final class Sockets {

    /** Flushes held back at most, so that a long task still sends as it goes. */
    private static final int FLUSH_AFTER = 64;

    private Sockets() {
    }

    /** The event loop the caller runs on, the one its connection writes from; {@code null} off the event loops. */
    public static Executor currentLoop() {
        Context context = Vertx.currentContext();
        return context instanceof ContextInternal internal && context.isEventLoopContext() ? internal.nettyEventLoop() : null;
    }

    /**
     * Readies an upgraded socket: its upgrade request's headers dropped (read what is needed from them before), its
     * flushes consolidated, its idle timer removed. Vert.x flushes every frame it writes, one system call each; a
     * broadcast task writes a batch of frames, several to the same agent under load, so the connection flushes once
     * after the task (Netty's {@link FlushConsolidationHandler}, also when no read is in progress), or after
     * {@value #FLUSH_AFTER} frames. The HTTP server's {@link IdleStateHandler} (half an hour) adds a listener to
     * every frame written; the protocols' pings notice a dead peer within a minute instead.
     */
    public static void prepare(ServerWebSocket socket, HttpConnection connection) {
        socket.headers().clear();
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channel().pipeline();
            pipeline.addFirst(new FlushConsolidationHandler(FLUSH_AFTER, true));
            if (pipeline.get(IdleStateHandler.class) != null) {
                pipeline.remove(IdleStateHandler.class);
            }
        }
    }
}
