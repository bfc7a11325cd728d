package dev.handover.gateway.client;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.gateway.config.GatewayConfig;

/**
 * Calls customer-service's REST API with the agent's own token, so that every rule and every access
 * decision is made there, once. Non-blocking: answers arrive as completion stages.
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

    public CustomerServiceClient(ObjectMapper json, GatewayConfig config) {
        this.json = json;
        this.config = config;
    }

    public CompletionStage<Answer> get(String token, String path, Map<String, Object> query) {
        String queryString = query.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(request(token, path + (queryString.isEmpty() ? "" : "?" + queryString)).GET().build());
    }

    public CompletionStage<Answer> post(String token, String path, Map<String, Object> body) {
        return send(request(token, path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes(body))).build());
    }

    public CompletionStage<Answer> put(String token, String path, Map<String, Object> body) {
        return send(request(token, path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes(body))).build());
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

    private CompletionStage<Answer> send(HttpRequest request) {
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(response -> {
            JsonNode body;
            try {
                body = response.body().length == 0 ? null : json.readTree(response.body());
            } catch (java.io.IOException e) {
                body = null;
            }
            return new Answer(response.statusCode(), body);
        });
    }

    private byte[] bytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
