package dev.handover.gateway.websocket;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.gateway.config.GatewayConfig;
import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;

/**
 * The HTTP server's WebSocket settings for both agent protocols: the JSON socket's subprotocol, the largest
 * message, and no compression (a deflate context costs about 100 KB per connection; agents' frames are small).
 */
@ApplicationScoped
public class WebSocketOptions implements HttpServerOptionsCustomizer {

    private final GatewayConfig config;

    public WebSocketOptions(GatewayConfig config) {
        this.config = config;
    }

    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        apply(options);
    }

    @Override
    public void customizeHttpsServer(HttpServerOptions options) {
        apply(options);
    }

    private void apply(HttpServerOptions options) {
        int largest = Math.max(config.maxWebSocketMessageBytes(), config.socketIo().maxPayload());
        options.addWebSocketSubProtocol(DashboardSocket.SUBPROTOCOL).setMaxWebSocketFrameSize(largest)
                .setMaxWebSocketMessageSize(largest).setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
    }
}
