package dev.handover.customer.rest;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.service.SettingsService;

/** The company's canned replies, for every agent (admins change them with {@code PUT /api/admin/settings}). */
@Path("/api/dashboard/canned-replies")
@Tag(name = "settings")
@SecurityRequirement(name = "jwt")
@RolesAllowed({ "agent", "admin" })
public class CannedReplyResource {

    private final SettingsService settings;
    private final CurrentCaller caller;

    public CannedReplyResource(SettingsService settings, CurrentCaller caller) {
        this.settings = settings;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "The company's canned replies, in their order")
    public Map<String, Object> list() {
        return Map.of("canned_replies", SettingsService.cannedReplies(settings.recent(caller.get().companyId())));
    }
}
