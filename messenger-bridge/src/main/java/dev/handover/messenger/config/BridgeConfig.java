package dev.handover.messenger.config;

import java.time.Duration;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Settings of messenger-bridge (prefix {@code messenger}). The secrets (app secret, verify token, token key)
 * come from the environment or a Kubernetes Secret; only local-development values are committed. Page access
 * tokens are not settings: company admins connect pages through the API ({@link dev.handover.messenger.service.PageAccess}).
 */
@ConfigMapping(prefix = "messenger")
public interface BridgeConfig {

    /** The Facebook app's secret: the key of every webhook's {@code X-Hub-Signature-256}. */
    String appSecret();

    /** What Facebook must send as {@code hub.verify_token} when subscribing the webhook. */
    String verifyToken();

    /**
     * Key sealing page access tokens at rest: 32 bytes, base64 ({@code openssl rand -base64 32}); from the
     * environment ({@code MESSENGER_TOKEN_KEY}, a Kubernetes Secret) in production.
     */
    String tokenKey();

    /** How long a page's owner and token are trusted from memory before they are reread (rotations apply after it). */
    @WithDefault("5s")
    Duration pageCacheTtl();

    Graph graph();

    Send send();

    Sandbox sandbox();

    /** The local Messenger sandbox: people play customers, sends are recorded instead of reaching Facebook. */
    interface Sandbox {
        /** Only ever with the documented local app secret, so a real deployment cannot run it. */
        @WithDefault("false")
        boolean enabled();

        /** Names the sandbox's Graph API gives its pages, by page id (others are "Sandbox page ID"). */
        Map<String, String> pageNames();
    }

    Spool spool();

    /**
     * Where signed webhooks wait, on disk, until their events are in Kafka: Facebook is answered as soon as a
     * body is there, whatever Kafka, MongoDB or the Graph API are doing.
     */
    interface Spool {
        /** A directory that survives a restart of the bridge (a volume in Kubernetes); one per replica. */
        @WithDefault("spool")
        String dir();

        /** Bodies waiting at most; beyond it webhooks are answered 503 (Facebook retries them later). */
        @WithDefault("100000")
        int maxBodies();

        /** Bodies taken to Kafka together (one de-duplication query, one wait for Kafka's acknowledgements). */
        @WithDefault("100")
        int batch();

        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("10s")
        Duration maxBackoff();
    }

    interface Graph {
        @WithDefault("https://graph.facebook.com")
        String baseUrl();

        @WithDefault("v25.0")
        String version();

        /** Timeout of a Send API call. */
        @WithDefault("10s")
        Duration timeout();

        /** Timeout of a user-profile lookup, which a webhook waits for. */
        @WithDefault("1500ms")
        Duration profileTimeout();

        /** How long a failed profile lookup is not tried again. */
        @WithDefault("1h")
        Duration profileRetryAfter();

        /** Profile calls at once (each a batch of up to 50 customers of one page): a burst waits for about one call. */
        @WithDefault("8")
        int profileConcurrency();

        /** Customers whose names are kept in memory (the most recent); the others are read from MongoDB. */
        @WithDefault("10000")
        int profilesRemembered();
    }

    interface Send {
        /** Calls to the Send API per message, the first included. */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("500ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();

        /** Send API calls per second per page, all replicas together (Facebook allows about 300). */
        @WithDefault("250")
        int ratePerPage();

        /**
         * Every text ends sent or failed within this time of the agent's request, whatever Facebook does; shorter
         * than customer-service's {@code handover.sends.outcome-timeout}, so nothing is sent after that fails it.
         */
        @WithDefault("90s")
        Duration deadline();

        /**
         * After a call whose outcome is unknown (timeout, reset), how long to wait for the page's echo of the
         * message before sending it again.
         */
        @WithDefault("10s")
        Duration echoWait();

        /** Whether this app is approved for the HUMAN_AGENT tag (texts 24 h to 7 days after the customer wrote). */
        @WithDefault("true")
        boolean humanAgentTag();

        /** Typing indicators and seen marks older than this are dropped, never sent late. */
        @WithDefault("5s")
        Duration senderActionMaxAge();

        /** Sends running at once on this replica (threads), across every page and conversation. */
        @WithDefault("64")
        int concurrency();

        /**
         * Lanes per page: a page's conversations are spread over this many ordered lanes, so a page that is paused
         * (rate limit, slow Graph calls) occupies at most this many of the {@link #concurrency()} threads.
         */
        @WithDefault("4")
        int lanesPerPage();

        /** Records taken from Kafka but not yet settled, at most; beyond it the consumer waits. */
        @WithDefault("512")
        int maxInFlight();
    }
}
