package dev.handover.messenger.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.messenger.service.PageAccess;
import io.smallrye.common.annotation.Blocking;

/**
 * Connecting a page, called by customer-service with the company admin's own token: the bridge alone talks
 * to Facebook, so it proves the token and keeps it. The company is the token's, never the request's.
 */
@Path("/api/admin/page-connections/{pageId}")
@RolesAllowed("admin")
@Blocking
public class PageConnectionResource {

    private static final int MAX_FIELD = 1000;

    private final PageAccess access;
    private final JsonWebToken caller;
    private final ObjectMapper json;

    public PageConnectionResource(PageAccess access, JsonWebToken caller, ObjectMapper json) {
        this.access = access;
        this.caller = caller;
        this.json = json;
    }

    /** {@code {"page_access_token"}}: 200 {@code {page_id, page_name}}, 422 not this page's token, 409 another company's page. */
    @PUT
    public Response connect(@PathParam("pageId") String pageId, JsonNode body) {
        String company = caller.getClaim("company_id");
        JsonNode token = body == null ? null : body.get("page_access_token");
        if (company == null || company.isBlank()) {
            return error(403, "Token has no company_id");
        }
        if (token == null || !token.isTextual() || token.asText().isBlank()) {
            return error(400, "page_access_token is required");
        }
        if (token.asText().length() > MAX_FIELD || pageId.length() > MAX_FIELD) {
            return error(400, "page_access_token is too long");
        }
        PageAccess.Connection connection = access.connect(company, pageId, token.asText().trim());
        if (connection.error() != null) {
            return error(connection.status(), connection.error());
        }
        return Response.ok(json.createObjectNode().put("page_id", pageId).put("page_name", connection.pageName())).build();
    }

    @DELETE
    public Response disconnect(@PathParam("pageId") String pageId) {
        String company = caller.getClaim("company_id");
        return company != null && access.disconnect(company, pageId) ? Response.noContent().build()
                : error(404, "Page not connected");
    }

    private Response error(int status, String text) {
        return Response.status(status).entity(json.createObjectNode().put("error", text)).build();
    }
}
