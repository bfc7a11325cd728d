package dev.handover.messenger.graph;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.sandbox.SandboxStore;

/**
 * The Graph API calls the bridge makes: the Send API, thread control, the user profile and the page a token belongs to. Facebook's base URL is configured;
 * in sandbox mode the calls go to the sandbox in this service instead.
 */
@ApplicationScoped
public class GraphClient {

    private final HttpClient http;
    private final ObjectMapper json;
    private final BridgeConfig config;
    private final SandboxStore sandbox;

    public GraphClient(ObjectMapper json, BridgeConfig config, SandboxStore sandbox) {
        this.json = json;
        this.config = config;
        this.sandbox = sandbox;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** {@code POST /{version}/{page}/messages}; throws on timeouts and broken connections. */
    public GraphResult send(String pageId, String pageToken, JsonNode body) throws IOException, InterruptedException {
        return post(uri("/" + pageId + "/messages", pageToken), body);
    }

    /**
     * {@code POST /{version}/me/take_thread_control} or {@code .../pass_thread_control} (Messenger's handover
     * protocol) with {@code {recipient, target_app_id?, metadata?}}; throws on timeouts and broken connections.
     */
    public GraphResult threadControl(String action, String pageToken, JsonNode body) throws IOException, InterruptedException {
        return post(uri("/me/" + action, pageToken), body);
    }

    private GraphResult post(URI uri, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(config.graph().timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return result(response.statusCode(), response.body());
    }

    /** {@code GET /{version}/me?fields=id,name}: with a page access token, the page it belongs to. */
    public GraphResult page(String pageToken) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/me", pageToken, "fields", "id,name"))
                .timeout(config.graph().profileTimeout()).GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return result(response.statusCode(), response.body());
    }

    /** {@code GET /{version}/{psid}?fields=first_name,last_name}. */
    public GraphResult profile(String psid, String pageToken) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/" + psid, pageToken, "fields", "first_name,last_name"))
                .timeout(config.graph().profileTimeout()).GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return result(response.statusCode(), response.body());
    }

    private GraphResult result(int status, byte[] body) {
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (IOException e) {
            return new GraphResult(status, null, status, null, "Unreadable Graph API answer", null);
        }
        JsonNode error = node == null ? null : node.get("error");
        if (error != null && error.isObject()) {
            return new GraphResult(status, null, error.path("code").isInt() ? error.get("code").asInt() : status,
                    error.path("error_subcode").isInt() ? error.get("error_subcode").asInt() : null,
                    error.path("message").asText(null), error.path("fbtrace_id").asText(null));
        }
        if (status / 100 != 2) {
            return new GraphResult(status, null, status, null, "HTTP " + status, null);
        }
        return new GraphResult(status, node, null, null, null, null);
    }

    private URI uri(String path, String token, String... query) {
        String base = config.sandbox().enabled() ? sandbox.graphBaseUrl() : config.graph().baseUrl();
        StringBuilder uri = new StringBuilder(base).append('/').append(config.graph().version())
                .append(path).append("?access_token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        for (int i = 0; i + 1 < query.length; i += 2) {
            uri.append('&').append(query[i]).append('=').append(URLEncoder.encode(query[i + 1], StandardCharsets.UTF_8));
        }
        return URI.create(uri.toString());
    }
}
