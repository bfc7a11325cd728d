package dev.handover.messenger.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.handover.messenger.config.BridgeConfig;

/** Ready while the webhook spool can take bodies; Kafka being down alone does not make the bridge unready. */
@Readiness
@ApplicationScoped
public class SpoolHealth implements HealthCheck {

    private final WebhookSpool spool;
    private final BridgeConfig config;

    public SpoolHealth(WebhookSpool spool, BridgeConfig config) {
        this.spool = spool;
        this.config = config;
    }

    @Override
    public HealthCheckResponse call() {
        int waiting = spool.waiting();
        return HealthCheckResponse.named("webhook-spool").status(waiting < config.spool().maxBodies())
                .withData("waiting", waiting).withData("max", config.spool().maxBodies()).build();
    }
}
