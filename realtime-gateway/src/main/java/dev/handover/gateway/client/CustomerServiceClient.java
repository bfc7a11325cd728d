package dev.handover.gateway.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.events.Spans;
import dev.handover.events.TraceContext;
import dev.handover.gateway.config.GatewayConfig;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Calls customer-service's REST API with the agent's own token, so that every rule and every access
 * decision is made there, once. Non-blocking: answers arrive as completion stages. Each call is a client span of the
 * current trace (the agent's command), carried to customer-service in a {@code traceparent} header; what the caller
 * chains on the answer runs in the caller's trace again.
 */
@ApplicationScoped
public class CustomerServiceClient {

    /** An answer: HTTP status and JSON body (an {@code {"error": ...}} object when the status is not 2xx). */
    public record Answer(int status, JsonNode body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        public String error() {
            return body != null && body.hasNonNull("error") ? body.get("error").asText() : "Request failed (" + status + ")";
        }
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json;
    private final GatewayConfig config;
    private final Spans spans;

    public CustomerServiceClient(ObjectMapper json, GatewayConfig config, Spans spans) {
        this.json = json;
        this.config = config;
        this.spans = spans;
    }

    public CompletionStage<Answer> get(String token, String path, Map<String, Object> query) {
        String queryString = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(request(token, path + (queryString.isEmpty() ? "" : "?" + queryString)).GET());
    }

    public CompletionStage<Answer> post(String token, String path, Map<String, Object> body) {
        return send(request(token, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body))));
    }

    public CompletionStage<Answer> put(String token, String path, Map<String, Object> body) {
        return send(request(token, path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes(body))));
    }

    /** Path segment, escaped. */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A body map that keeps its order and leaves out nothing. */
    public static Map<String, Object> body(Object... pairs) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }

    private HttpRequest.Builder request(String token, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(config.customerServiceUrl() + pathAndQuery))
                .timeout(config.customerServiceTimeout())
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json");
    }

    private CompletionStage<Answer> send(HttpRequest.Builder builder) {
        if (!spans.on()) {
            return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(this::answer);
        }
        Context caller = Context.current();
        HttpRequest request = builder.build();
        Span span = spans.start("customer-service " + request.method(), SpanKind.CLIENT, caller);
        span.setAttribute("http.request.method", request.method());
        span.setAttribute("url.path", request.uri().getPath());
        HttpRequest traced = HttpRequest.newBuilder(request, (name, value) -> true)
                .header(TraceContext.HEADER, TraceContext.of(span.getSpanContext())).build();
        CompletableFuture<Answer> answered = new CompletableFuture<>();
        http.sendAsync(traced, HttpResponse.BodyHandlers.ofByteArray()).whenComplete((response, failure) -> {
            if (failure == null) {
                span.setAttribute("http.response.status_code", response.statusCode());
                if (response.statusCode() >= 500) {
                    span.setStatus(StatusCode.ERROR);
                }
            } else {
                span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
            }
            span.end();
            try (Scope ignored = caller.makeCurrent()) { // stages chained on the answer continue the caller's trace
                if (failure == null) {
                    answered.complete(answer(response));
                } else {
                    answered.completeExceptionally(failure);
                }
            }
        });
        return answered;
    }

    private Answer answer(HttpResponse<byte[]> response) {
        JsonNode body;
        try {
            body = response.body().length == 0 ? null : json.readTree(response.body());
        } catch (java.io.IOException e) {
            body = null;
        }
        return new Answer(response.statusCode(), body);
    }

    private byte[] bytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
