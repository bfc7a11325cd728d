package dev.handover.gateway.rest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.handover.gateway.client.CustomerServiceClient;

/** The company's handoff report for the console, on the gateway's own origin (customer-service decides who may read it). */
@Path("/api/console/reports")
@RolesAllowed({ "agent", "admin" })
public class ConsoleReportResource {

    private final CustomerServiceClient customers;
    private final JsonWebToken jwt;

    public ConsoleReportResource(CustomerServiceClient customers, JsonWebToken jwt) {
        this.customers = customers;
        this.jwt = jwt;
    }

    @GET
    public CompletionStage<Response> report(@QueryParam("from") String from, @QueryParam("to") String to) {
        Map<String, Object> query = new HashMap<>();
        query.put("from", from);
        query.put("to", to);
        return customers.get(jwt.getRawToken(), "/api/dashboard/reports", query).thenApply(ConsoleResource::relay);
    }
}
