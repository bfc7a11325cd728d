package dev.handover.messenger.graph;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

import dev.handover.events.Spans;
import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.sandbox.SandboxStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;

/**
 * The Graph API calls the bridge makes: the Send API, thread control, the user profile and the page a token belongs to. Facebook's base URL is configured;
 * in sandbox mode the calls go to the sandbox in this service instead. Each call is a client span of the current
 * trace, named by its operation, with the page, the status and Facebook's error code (never the token in the URL).
 */
@ApplicationScoped
public class GraphClient {

    /** Facebook's limit of operations in one batch request. */
    public static final int BATCH_LIMIT = 50;

    private final HttpClient http;
    private final ObjectMapper json;
    private final BridgeConfig config;
    private final SandboxStore sandbox;
    private final Spans spans;

    public GraphClient(ObjectMapper json, BridgeConfig config, SandboxStore sandbox, Spans spans) {
        this.spans = spans;
        this.json = json;
        this.config = config;
        this.sandbox = sandbox;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** {@code POST /{version}/{page}/messages}; throws on timeouts and broken connections. */
    public GraphResult send(String pageId, String pageToken, JsonNode body) throws IOException, InterruptedException {
        return post("send", pageId, uri("/" + pageId + "/messages", pageToken), body);
    }

    /**
     * {@code POST /{version}/me/take_thread_control} or {@code .../pass_thread_control} (Messenger's handover
     * protocol) with {@code {recipient, target_app_id?, metadata?}}; throws on timeouts and broken connections.
     */
    public GraphResult threadControl(String action, String pageToken, JsonNode body) throws IOException, InterruptedException {
        return post(action, null, uri("/me/" + action, pageToken), body);
    }

    private GraphResult post(String operation, String pageId, URI uri, JsonNode body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(config.graph().timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)))
                .build();
        return call(operation, pageId, request);
    }

    /** {@code GET /{version}/me?fields=id,name}: with a page access token, the page it belongs to. */
    public GraphResult page(String pageToken) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/me", pageToken, "fields", "id,name"))
                .timeout(config.graph().profileTimeout()).GET().build();
        return call("page", null, request);
    }

    /** {@code GET /{version}/{psid}?fields=first_name,last_name}. */
    public GraphResult profile(String psid, String pageToken) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri("/" + psid, pageToken, "fields", "first_name,last_name"))
                .timeout(config.graph().profileTimeout()).GET().build();
        return call("profile", null, request);
    }

    /**
     * The profiles of several customers of one page in one call (at most {@link #BATCH_LIMIT}): {@code POST
     * /{version}} with a {@code batch} of {@code GET {version}/{psid}?fields=first_name,last_name}, answered in the
     * same order. An operation Facebook left unanswered (null, when the batch took too long) is an error of its own;
     * a failure of the whole call is every operation's. Throws on timeouts and broken connections.
     */
    public List<GraphResult> profiles(List<String> psids, String pageToken) throws IOException, InterruptedException {
        ArrayNode batch = json.createArrayNode();
        for (String psid : psids) {
            batch.addObject().put("method", "GET").put("relative_url", config.graph().version() + "/"
                    + URLEncoder.encode(psid, StandardCharsets.UTF_8) + "?fields=first_name,last_name");
        }
        String form = "access_token=" + URLEncoder.encode(pageToken, StandardCharsets.UTF_8)
                + "&include_headers=false&batch=" + URLEncoder.encode(batch.toString(), StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base() + "/" + config.graph().version()))
                .timeout(config.graph().profileTimeout())
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        GraphResult whole = call("profile batch", null, request);
        if (!whole.ok() || !whole.body().isArray()) {
            return Collections.nCopies(psids.size(), whole.ok()
                    ? new GraphResult(whole.httpStatus(), null, whole.httpStatus(), null, "Unreadable batch answer", null)
                    : whole);
        }
        List<GraphResult> results = new ArrayList<>(psids.size());
        for (int i = 0; i < psids.size(); i++) {
            JsonNode answer = whole.body().get(i);
            results.add(answer == null || answer.isNull()
                    ? new GraphResult(whole.httpStatus(), null, whole.httpStatus(), null, "Not completed in the batch", null)
                    : result(answer.path("code").asInt(), answer.path("body").asText("").getBytes(StandardCharsets.UTF_8)));
        }
        return results;
    }

    private GraphResult call(String operation, String pageId, HttpRequest request) throws IOException, InterruptedException {
        Span span = spans.start("graph " + operation, SpanKind.CLIENT);
        if (span.isRecording()) {
            span.setAttribute("http.request.method", request.method());
            span.setAttribute("server.address", request.uri().getHost());
            if (pageId != null) {
                span.setAttribute("handover.page_id", pageId);
            }
        }
        try (Scope ignored = span.makeCurrent()) {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            GraphResult result = result(response.statusCode(), response.body());
            span.setAttribute("http.response.status_code", response.statusCode());
            if (!result.ok()) {
                span.setAttribute("handover.graph.error_code", result.errorCode() == null ? 0 : result.errorCode());
                span.setStatus(StatusCode.ERROR, "Graph API error");
            }
            return result;
        } catch (IOException | RuntimeException e) {
            span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName()); // the message may name the URL, token included
            throw e;
        } finally {
            span.end();
        }
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

    private String base() {
        return config.sandbox().enabled() ? sandbox.graphBaseUrl() : config.graph().baseUrl();
    }

    private URI uri(String path, String token, String... query) {
        StringBuilder uri = new StringBuilder(base()).append('/').append(config.graph().version())
                .append(path).append("?access_token=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        for (int i = 0; i + 1 < query.length; i += 2) {
            uri.append('&').append(query[i]).append('=').append(URLEncoder.encode(query[i + 1], StandardCharsets.UTF_8));
        }
        return URI.create(uri.toString());
    }
}
