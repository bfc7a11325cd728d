package dev.handover.gateway.service;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/** Connections by protocol, and how long a change takes from customer-service's decision to the agents. */
@ApplicationScoped
@Startup
public class GatewayMetrics {

    private final Timer broadcastLatency;

    public GatewayMetrics(CompanyChannels channels, MeterRegistry registry) {
        for (AgentSession.Protocol protocol : AgentSession.Protocol.values()) {
            Gauge.builder("handover.websocket.connections", channels,
                    c -> c.sessions().stream().filter(s -> s.protocol() == protocol && !s.closed()).count())
                    .tag("protocol", protocol.name().toLowerCase()).description("Open agent connections")
                    .register(registry);
        }
        this.broadcastLatency = Timer.builder("handover.broadcast.latency")
                .description("From the change in customer-service to the broadcast leaving this gateway")
                .publishPercentileHistogram().register(registry);
    }

    public void broadcast(Instant occurredAt) {
        if (occurredAt != null) {
            broadcastLatency.record(Duration.between(occurredAt, Instant.now()));
        }
    }
}
