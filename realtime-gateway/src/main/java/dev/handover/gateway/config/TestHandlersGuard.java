package dev.handover.gateway.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

/**
 * The Socket.IO reference test handlers ({@code gateway.socket-io.test-handlers}) echo what clients send and let a
 * CONNECT without a valid token in: for the protocol suites on one machine, never for a gateway others can reach.
 * A gateway that has them on refuses to start unless it listens on a loopback address only.
 */
@ApplicationScoped
public class TestHandlersGuard {

    void check(@Observes StartupEvent start, GatewayConfig config, @ConfigProperty(name = "quarkus.http.host") String host) {
        requireLoopback(config.socketIo().testHandlers(), host);
    }

    static void requireLoopback(boolean testHandlers, String host) {
        if (!testHandlers) {
            return;
        }
        boolean loopback;
        try {
            loopback = !host.isBlank() && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        if (!loopback) {
            throw new IllegalStateException("gateway.socket-io.test-handlers is only for the protocol suites on this "
                    + "machine: the gateway listens on " + host + "; set QUARKUS_HTTP_HOST=127.0.0.1 or turn the handlers off");
        }
    }
}
