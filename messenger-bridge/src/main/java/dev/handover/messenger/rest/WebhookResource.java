package dev.handover.messenger.rest;

import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.service.SignatureVerifier;
import dev.handover.messenger.service.WebhookService;
import dev.handover.messenger.service.WebhookSpool;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Facebook's webhook: the subscription handshake, and signed notifications. Public, but nothing gets past it
 * without the app secret's signature over the exact bytes received.
 */
@Path("/webhook")
public class WebhookResource {

    private static final Logger LOG = Logger.getLogger(WebhookResource.class);

    private final BridgeConfig config;
    private final SignatureVerifier signatures;
    private final WebhookService webhooks;
    private final WebhookSpool spool;
    private final MeterRegistry metrics;

    public WebhookResource(BridgeConfig config, WebhookService webhooks, WebhookSpool spool, MeterRegistry metrics) {
        this.config = config;
        this.signatures = new SignatureVerifier(config.appSecret());
        this.webhooks = webhooks;
        this.spool = spool;
        this.metrics = metrics;
        // every refusal's series exists from the start, at 0: alerts and dashboards see a rate, not a gap
        for (String reason : List.of("verification", "unsigned", "bad_signature", "malformed", "unavailable")) {
            metrics.counter("handover.webhook.rejected", "reason", reason);
        }
    }

    @GET
    @Produces(MediaType.TEXT_PLAIN)
    public Response verify(@QueryParam("hub.mode") String mode, @QueryParam("hub.verify_token") String token,
            @QueryParam("hub.challenge") String challenge) {
        boolean tokenMatches = token != null && MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                config.verifyToken().getBytes(StandardCharsets.UTF_8));
        if ("subscribe".equals(mode) && tokenMatches && challenge != null) {
            return Response.ok(challenge).build();
        }
        metrics.counter("handover.webhook.rejected", "reason", "verification").increment();
        return Response.status(403).entity("Forbidden").build();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("X-Hub-Signature-256") String signature, byte[] body) {
        if (!signatures.valid(signature, body)) {
            metrics.counter("handover.webhook.rejected", "reason", signature == null ? "unsigned" : "bad_signature")
                    .increment();
            return error(403, signature == null ? "Missing X-Hub-Signature-256" : "Invalid signature");
        }
        try {
            webhooks.validate(body);
            spool.append(body);
            return Response.ok("{\"status\":\"EVENT_RECEIVED\"}").build();
        } catch (WebhookService.MalformedWebhook e) {
            metrics.counter("handover.webhook.rejected", "reason", "malformed").increment();
            return error(400, e.getMessage());
        } catch (WebhookSpool.Full | RuntimeException e) {
            LOG.errorf("Webhook not taken, Facebook will retry: %s", e.toString());
            metrics.counter("handover.webhook.rejected", "reason", "unavailable").increment();
            return error(503, "Events could not be stored; retry later");
        }
    }

    private static Response error(int status, String text) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity("{\"error\":\"" + text.replace("\"", "'") + "\"}").build();
    }
}
