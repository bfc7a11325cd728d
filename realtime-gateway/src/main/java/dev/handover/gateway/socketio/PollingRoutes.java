package dev.handover.gateway.socketio;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/** Engine.IO long-polling on {@code /socket.io/}; WebSocket upgrades on that path go on to {@link SocketIoSocket}. */
@ApplicationScoped
public class PollingRoutes {

    private static final BodyHandler BODY = BodyHandler.create(false).setBodyLimit(1_000_000);

    void routes(@Observes Router router, EngineServer engine) {
        router.routeWithRegex(HttpMethod.POST, "/socket\\.io/?").order(-101).handler(context -> {
            String upgrade = context.request().getHeader("Upgrade");
            if (upgrade != null) {
                context.next();
            } else {
                BODY.handle(context);
            }
        });
        router.routeWithRegex("/socket\\.io/?").order(-100).handler(context -> {
            String upgrade = context.request().getHeader("Upgrade");
            if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
                context.next();
            } else if (context.request().method() == HttpMethod.GET) {
                engine.get(context);
            } else if (context.request().method() == HttpMethod.POST) {
                engine.post(context, context.body().asString());
            } else {
                context.response().setStatusCode(400).putHeader("Content-Type", "application/json")
                        .end("{\"code\":2,\"message\":\"Bad handshake method\"}");
            }
        });
    }
}
