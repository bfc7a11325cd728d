package dev.handover.customer.client;

import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * messenger-bridge's page connections, called with the company admin's own token: the bridge alone talks to
 * Facebook, proves that a page access token belongs to the page, and keeps the token sealed. Its 4xx answers
 * arrive as {@link jakarta.ws.rs.WebApplicationException}s carrying {@code {"error": ...}}.
 */
@RegisterRestClient(configKey = "messenger-bridge")
@Path("/api/admin/page-connections/{pageId}")
public interface BridgeClient {

    /** Proves control of the page with {@code {"page_access_token"}} and keeps the token: {@code {page_id, page_name}}. */
    @PUT
    JsonNode connect(@HeaderParam("Authorization") String authorization, @PathParam("pageId") String pageId,
            Map<String, String> body);

    @DELETE
    void disconnect(@HeaderParam("Authorization") String authorization, @PathParam("pageId") String pageId);
}
