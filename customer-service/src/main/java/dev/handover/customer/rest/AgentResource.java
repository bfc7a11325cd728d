package dev.handover.customer.rest;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.customer.service.PresenceService;

/** The company's agents and their presence; an agent chooses {@code online} or {@code away}. */
@Path("/api/dashboard/agents")
@Tag(name = "agents")
@SecurityRequirement(name = "jwt")
@RolesAllowed({ "agent", "admin" })
public class AgentResource {

    private final PresenceService presence;
    private final CurrentCaller caller;

    public AgentResource(PresenceService presence, CurrentCaller caller) {
        this.presence = presence;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The company's agents: status (online, away, offline) and active chats")
    public Map<String, Object> list() {
        List<Map<String, Object>> agents = presence.list(caller.get());
        return Map.of("agents", agents, "total", agents.size());
    }

    @GET
    @Path("/me")
    @Operation(summary = "The caller's status and active chats")
    public Map<String, Object> me() {
        return presence.me(caller.get());
    }

    @PUT
    @Path("/me/status")
    @Operation(summary = "Choose online or away (offline follows from having no connection)")
    public Map<String, Object> status(JsonNode body) {
        JsonNode status = body == null ? null : body.get("status");
        return presence.choose(caller.get(), status != null && status.isTextual() ? status.asText() : null);
    }
}
