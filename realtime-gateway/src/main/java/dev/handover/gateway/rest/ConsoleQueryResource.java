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

/**
 * The console's read-only queries that concern no one customer, on the gateway's own origin: the company's report,
 * the search by name and the canned replies, each answered by customer-service with the agent's own token (it decides who may read).
 */
@Path("/api/console")
@RolesAllowed({ "agent", "admin" })
public class ConsoleQueryResource {

    private final CustomerServiceClient customers;
    private final JsonWebToken jwt;

    public ConsoleQueryResource(CustomerServiceClient customers, JsonWebToken jwt) {
        this.customers = customers;
        this.jwt = jwt;
    }

    @GET
    @Path("/reports")
    public CompletionStage<Response> report(@QueryParam("from") String from, @QueryParam("to") String to) {
        return relay("/api/dashboard/reports", "from", from, "to", to);
    }

    @GET
    @Path("/search")
    public CompletionStage<Response> search(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        return relay("/api/dashboard/customers/search", "q", q, "limit", limit);
    }

    @GET
    @Path("/canned-replies")
    public CompletionStage<Response> cannedReplies() {
        return relay("/api/dashboard/canned-replies");
    }

    private CompletionStage<Response> relay(String path, String... pairs) {
        Map<String, Object> query = new HashMap<>();
        for (int i = 0; i + 1 < pairs.length; i += 2) {
            query.put(pairs[i], pairs[i + 1]);
        }
        return customers.get(jwt.getRawToken(), path, query).thenApply(ConsoleResource::relay);
    }
}
