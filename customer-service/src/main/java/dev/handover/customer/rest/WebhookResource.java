package dev.handover.customer.rest;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.customer.service.WebhookService;

/** The company's outbound webhooks and their delivery logs, for its admins. */
@Path("/api/admin/webhooks")
@Tag(name = "webhooks")
@SecurityRequirement(name = "jwt")
@RolesAllowed("admin")
public class WebhookResource {

    private static final int MAX_LOG = 500;

    private final WebhookService webhooks;
    private final CurrentCaller caller;

    public WebhookResource(WebhookService webhooks, CurrentCaller caller) {
        this.webhooks = webhooks;
        this.caller = caller;
    }

    @POST
    @Operation(summary = "Register a webhook: the answer holds its signing secret, shown this once")
    public Response register(JsonNode body) {
        return Response.status(201).entity(webhooks.register(caller.get(), body)).build();
    }

    @GET
    @Operation(summary = "The company's webhooks (without their secrets)")
    public Map<String, Object> list() {
        List<Map<String, Object>> all = webhooks.list(caller.get());
        return Map.of("webhooks", all, "total", all.size());
    }

    @DELETE
    @Path("/{id}")
    @Operation(summary = "Remove a webhook and what it was still owed")
    public Response remove(@PathParam("id") String id) {
        webhooks.remove(caller.get(), id);
        return Response.noContent().build();
    }

    @GET
    @Path("/{id}/deliveries")
    @Operation(summary = "The webhook's deliveries, newest first")
    public Map<String, Object> deliveries(@PathParam("id") String id, @QueryParam("limit") Integer limit) {
        int size = limit == null ? 100 : Math.max(1, Math.min(MAX_LOG, limit));
        return Map.of("deliveries", webhooks.log(caller.get(), id, size));
    }
}
