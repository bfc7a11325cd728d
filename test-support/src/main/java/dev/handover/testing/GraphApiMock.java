package dev.handover.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * WireMock playing Facebook's Graph API, batch requests included: a {@code POST /{version}} with a {@code batch} form
 * parameter is answered by asking this same server each operation, all at once (Facebook runs independent operations
 * in parallel), and returning their {@code code} and {@code body} in order. The stubs a test sets for single calls
 * therefore answer the batched ones too, delays and errors included, and each operation is in the request journal.
 */
public final class GraphApiMock {

    private static final String NAME = "graph-batch";

    private GraphApiMock() {
    }

    /** A started server on a free port of 127.0.0.1 (with {@code threads} to serve calls and batch operations). */
    public static WireMockServer start(int threads) {
        WireMockServer server = new WireMockServer(WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(threads).extensions(new Batches()));
        server.start();
        server.stubFor(post(urlPathMatching("/v[0-9.]+/?")).withFormParam("batch", matching("(?s).+"))
                .willReturn(aResponse().withTransformers(NAME)));
        return server;
    }

    /** {@link #start(int)} with enough threads for a batch of Facebook's 50 operations. */
    public static WireMockServer start() {
        return start(64);
    }

    /** Answers a batch request by asking the server each of its operations. */
    private static final class Batches implements ResponseDefinitionTransformerV2 {

        private final HttpClient http = HttpClient.newHttpClient();
        private final ObjectMapper json = new ObjectMapper();

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            Request request = event.getRequest();
            URI self = URI.create(request.getAbsoluteUrl()).resolve("/");
            String token = URLEncoder.encode(request.formParameter("access_token").firstValue(), StandardCharsets.UTF_8);
            try {
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (JsonNode operation : json.readTree(request.formParameter("batch").firstValue())) {
                    String url = operation.path("relative_url").asText().replaceFirst("^/", "");
                    HttpRequest call = HttpRequest.newBuilder(self.resolve(url + (url.contains("?") ? "&" : "?")
                            + "access_token=" + token)).method(operation.path("method").asText(), HttpRequest.BodyPublishers.noBody())
                            .build();
                    answers.add(http.sendAsync(call, HttpResponse.BodyHandlers.ofString()));
                }
                ArrayNode batch = json.createArrayNode();
                for (CompletableFuture<HttpResponse<String>> answer : answers) {
                    HttpResponse<String> response = answer.join();
                    batch.addObject().put("code", response.statusCode()).put("body", response.body());
                }
                return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                        .withHeader("Content-Type", "application/json").withBody(json.writeValueAsString(batch)).build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
