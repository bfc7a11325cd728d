package dev.handover.customer.rest;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.service.ReportService;

/** The company's handoff report, for its admins. */
@Path("/api/dashboard/reports")
@Tag(name = "reports")
@SecurityRequirement(name = "jwt")
@RolesAllowed("admin")
public class ReportResource {

    private final ReportService reports;
    private final CurrentCaller caller;

    public ReportResource(ReportService reports, CurrentCaller caller) {
        this.reports = reports;
        this.caller = caller;
    }

    @GET
    @Operation(summary = "Customers handled, wait, first response and handle time (p50, p90), per company and agent")
    public Map<String, Object> report(@QueryParam("from") String from, @QueryParam("to") String to) {
        return reports.report(caller.get(), from, to);
    }
}
