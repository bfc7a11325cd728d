package dev.handover.gateway.socketio;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.util.List;
import java.util.Set;

import dev.handover.gateway.config.GatewayConfig;
import dev.handover.gateway.websocket.Sockets;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Engine.IO's two transports on {@code /socket.io/} (and, with the test handlers, the echo on {@code /engine.io/}),
 * served from Vert.x routes ahead of Quarkus's HTTP authentication (Socket.IO authenticates in its CONNECT):
 * WebSocket upgrades, and long-polling with CORS for the origins {@code gateway.socket-io.cors-origins} names;
 * polling bodies over the advertised {@code maxPayload} get a 413.
 */
@ApplicationScoped
public class EngineRoutes {

    private static final String PATHS = "/(socket|engine)\\.io/?";
    /** Before Quarkus's HTTP authentication (order -200): nothing of a security identity is built or kept. */
    private static final int ORDER = -300;

    void routes(@Observes Router router, EngineServer engine, GatewayConfig config) {
        Set<String> origins = Set.copyOf(config.socketIo().corsOrigins().orElse(List.of()));
        BodyHandler body = BodyHandler.create(false).setBodyLimit(config.socketIo().maxPayload());
        router.routeWithRegex(HttpMethod.POST, PATHS).order(ORDER - 1).handler(context -> {
            String upgrade = context.request().getHeader("Upgrade");
            if (upgrade != null) {
                context.next();
            } else {
                body.handle(context);
            }
        });
        router.routeWithRegex(PATHS).order(ORDER).handler(context -> {
            String upgrade = context.request().getHeader("Upgrade");
            EngineHandler handler = engine.handler(context.request().path());
            if (handler == null) {
                context.next();
                return;
            }
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                HttpConnection connection = context.request().connection();
                engine.upgradeAsked(context.request().getParam("sid"));
                context.request().toWebSocket().onSuccess(socket -> {
                    Sockets.prepare(socket, connection);
                    engine.opened(socket);
                }).onFailure(failure -> context.fail(400, failure));
                return;
            }
            String origin = context.request().getHeader("Origin");
            boolean allowed = origin != null && origins.contains(origin);
            if (allowed) {
                context.response().putHeader("Access-Control-Allow-Origin", origin)
                        .putHeader("Access-Control-Allow-Credentials", "true").putHeader("Vary", "Origin");
            }
            if (context.request().method() == HttpMethod.OPTIONS && allowed) {
                context.response().setStatusCode(204).putHeader("Access-Control-Allow-Methods", "GET, POST")
                        .putHeader("Access-Control-Allow-Headers", "Content-Type").putHeader("Access-Control-Max-Age", "86400")
                        .end();
            } else if (context.request().method() == HttpMethod.GET) {
                engine.get(context, handler);
            } else if (context.request().method() == HttpMethod.POST) {
                engine.post(context, handler, context.body().asString());
            } else {
                context.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"code\":2,\"message\":\"Bad handshake method\"}");
            }
        });
    }
}
