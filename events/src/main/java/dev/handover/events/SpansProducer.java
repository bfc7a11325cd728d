package dev.handover.events;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.opentelemetry.api.OpenTelemetry;

/**
 * Each service's hand-made spans, on exactly when its OpenTelemetry SDK is ({@code quarkus.otel.sdk.disabled=false}).
 * A bean of every service: their configuration indexes this module ({@code quarkus.index-dependency.events}).
 */
@ApplicationScoped
public class SpansProducer {

    @Produces
    @Singleton
    Spans spans(OpenTelemetry telemetry, @ConfigProperty(name = "quarkus.otel.sdk.disabled") boolean disabled) {
        return new Spans(telemetry, !disabled);
    }
}
