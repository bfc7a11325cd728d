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

/** The console's search by customer name, answered by customer-service with the agent's own token. */
@Path("/api/console/search")
@RolesAllowed({ "agent", "admin" })
public class ConsoleSearchResource {

    private final CustomerServiceClient customers;
    private final JsonWebToken jwt;

    public ConsoleSearchResource(CustomerServiceClient customers, JsonWebToken jwt) {
        this.customers = customers;
        this.jwt = jwt;
    }

    @GET
    public CompletionStage<Response> search(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        Map<String, Object> query = new HashMap<>();
        query.put("q", q);
        query.put("limit", limit);
        return customers.get(jwt.getRawToken(), "/api/dashboard/customers/search", query).thenApply(ConsoleResource::relay);
    }
}
