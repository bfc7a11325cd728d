package dev.handover.customer.rest;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.customer.service.SettingsService;

/** The company's handoff settings, for its admins. */
@Path("/api/admin/settings")
@Tag(name = "settings")
@SecurityRequirement(name = "jwt")
@RolesAllowed("admin")
public class SettingsResource {

    private final SettingsService settings;
    private final CurrentCaller caller;

    public SettingsResource(SettingsService settings, CurrentCaller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The company's settings (defaults until changed)")
    public Map<String, Object> get() {
        return SettingsService.view(settings.of(caller.get().companyId()));
    }

    @PUT
    @Operation(summary = "Change some of the company's settings; the others stay as they are")
    public Map<String, Object> put(JsonNode body) {
        return SettingsService.view(settings.change(caller.get(), body));
    }
}
