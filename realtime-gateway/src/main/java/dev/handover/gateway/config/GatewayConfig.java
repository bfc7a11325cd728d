package dev.handover.gateway.config;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of realtime-gateway (prefix {@code gateway}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Base URL of customer-service, which decides every command. */
    String customerServiceUrl();

    /** Timeout of a call to customer-service. */
    @WithDefault("10s")
    Duration customerServiceTimeout();

    /** Largest agent frame handled; larger ones get an error frame. */
    @WithDefault("16384")
    int maxMessageBytes();

    /**
     * Largest WebSocket message the transport accepts on either protocol (Socket.IO's {@code maxPayload} may ask for
     * more); the JSON socket answers frames over {@code max-message-bytes} with an error.
     */
    @WithDefault("1048576")
    int maxWebSocketMessageBytes();

    /** How often the server pings each JSON WebSocket, so that proxies keep idle agents' connections open. */
    @WithDefault("30s")
    Duration pingInterval();

    /**
     * How long a JSON WebSocket may stay silent (no frame, no pong) beyond a ping interval before it is closed as a
     * dead peer (a laptop closed, a network gone): its agent then counts as disconnected for presence.
     */
    @WithDefault("30s")
    Duration pingTimeout();

    /** Events kept per company for reconnecting agents to catch up. */
    @WithDefault("2000")
    int replayEvents();

    /**
     * Events kept for replay across all companies together: beyond it the company that publishes keeps only its
     * newest {@code replay-events-min} (memory is bounded whatever the number of companies).
     */
    @WithDefault("200000")
    int replayEventsTotal();

    /** What a company keeps for replay at least, when the total is reached. */
    @WithDefault("50")
    int replayEventsMin();

    /** A company without agents here and without events for this long is forgotten (its replay memory freed). */
    @WithDefault("15m")
    java.time.Duration idleChannelTtl();

    /** How often idle sessions are checked for expired tokens. */
    @WithDefault("15s")
    java.time.Duration expirySweepInterval();

    SocketIo socketIo();

    Limits limits();

    Presence presence();

    Console console();

    /**
     * How agents sign in to the console: with the company's OpenID Connect provider (authorization code with PKCE,
     * a public client), and on the local stack with its demo users. The services trust that provider's tokens
     * through {@code JWT_ISSUER} and {@code JWT_PUBLIC_KEY_LOCATION} (its JWKS address).
     */
    interface Console {
        /** The provider's issuer; its discovery document is read by the browser. No OIDC sign-in without it. */
        java.util.Optional<String> oidcIssuer();

        /** The console's client id at that provider. */
        java.util.Optional<String> oidcClientId();

        /** The scopes asked for. */
        @WithDefault("openid profile email")
        String oidcScope();

        /** The resource (RFC 8707) access tokens are asked for, when the provider needs one to issue JWTs. */
        java.util.Optional<String> oidcResource();

        /**
         * A JSON file of demo users ({@code [{"name", "role", "token"}]}) offered on the sign-in page; written by
         * {@code ./handover up} for the local stack, never set in production.
         */
        java.util.Optional<java.nio.file.Path> demoUsers();
    }

    /**
     * How this instance tells customer-service which agents are connected here: a report per company when it
     * changes (coalesced) and at every beat; a report not restated within {@code ttl} counts as this instance gone.
     */
    interface Presence {
        /** This instance's name in reports; the pod name in Kubernetes. */
        @WithDefault("${GATEWAY_INSTANCE:${quarkus.uuid}}")
        String instance();

        @WithDefault("10s")
        Duration beatInterval();

        @WithDefault("30s")
        Duration ttl();

        /** Changes within this time go out as one report. */
        @WithDefault("500ms")
        Duration debounce();

        /** An agent whose last connection closed still counts as connected this long (a page reload is not an absence). */
        @WithDefault("5s")
        Duration linger();
    }

    /**
     * What one agent connection, and one agent across all their connections, may ask of customer-service, whatever
     * the protocol, so that one agent's flood never delays the others: a rate, a bound on commands in flight (and
     * waiting), and a close after abuse.
     */
    interface Limits {
        /** Commands admitted per {@link #window()}. */
        @WithDefault("40")
        int commandsPerWindow();

        @WithDefault("2s")
        Duration window();

        /** Commands of one connection being carried out at once. */
        @WithDefault("8")
        int inFlight();

        /** Commands of one connection waiting for one of those places; beyond it they are refused. */
        @WithDefault("16")
        int queued();

        /** Refused commands within one {@link #window()} after which the connection is closed. */
        @WithDefault("200")
        int closeAfterRefusals();

        /** Commands admitted per {@link #window()} to one agent, whatever number of connections they use. */
        @WithDefault("80")
        int agentCommandsPerWindow();

        /** Commands of one agent being carried out at once, across their connections. */
        @WithDefault("12")
        int agentInFlight();

        /** Commands of one agent waiting for one of those places; beyond it they are refused. */
        @WithDefault("24")
        int agentQueued();
    }

    /** Engine.IO / Socket.IO settings; configurable so that conformance suites can shorten them. */
    interface SocketIo {
        @WithDefault("25s")
        Duration pingInterval();

        @WithDefault("20s")
        Duration pingTimeout();

        /** How long a new session may wait before its Socket.IO CONNECT. */
        @WithDefault("45s")
        Duration connectTimeout();

        @WithDefault("1000000")
        int maxPayload();

        /**
         * Connection state recovery (Socket.IO 4.6+): the CONNECT answer carries a {@code pid}, broadcasts their
         * offset; a client that comes back with both gets what it missed. Off for the protocol suites, whose
         * reference server runs without it.
         */
        @WithDefault("true")
        boolean connectionStateRecovery();

        /**
         * The reference test server's handlers, for the official protocol suites: {@code /custom}, {@code auth},
         * {@code message-back}, {@code message-with-ack} and the echo at {@code /engine.io/}. Never on by default.
         */
        @WithDefault("false")
        boolean testHandlers();

        /**
         * Origins whose pages may use HTTP long-polling across origins (CORS, with credentials); none by default.
         * WebSocket connections are not subject to CORS.
         */
        java.util.Optional<java.util.List<String>> corsOrigins();

        /** Packets waiting for a long-poll before the session counts as too slow and is closed. */
        @WithDefault("1000")
        int maxQueuedPackets();
    }

    /** Frames queued to one connection before it counts as too slow and is closed. */
    @WithDefault("1000")
    int maxPendingFrames();
}
