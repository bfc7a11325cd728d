package dev.handover.gateway.rest;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.gateway.client.CustomerServiceClient;
import dev.handover.gateway.client.CustomerServiceClient.Answer;
import dev.handover.gateway.service.StaffConsole;

/**
 * What the web console needs beyond the JSON WebSocket, on the gateway's own origin: history, customer info,
 * hand-back to the bot and typing. Each call goes to customer-service with the agent's own token.
 */
@Path("/api/console/customers/{customerId}")
@RolesAllowed({ "agent", "admin" })
public class ConsoleResource {

    private static final String CUSTOMERS = "/api/dashboard/customers/";

    private final CustomerServiceClient customers;
    private final StaffConsole staff;
    private final JsonWebToken jwt;
    private final ObjectMapper json;

    public ConsoleResource(CustomerServiceClient customers, StaffConsole staff, JsonWebToken jwt, ObjectMapper json) {
        this.customers = customers;
        this.staff = staff;
        this.jwt = jwt;
        this.json = json;
    }

    @GET
    @Path("/messages")
    public CompletionStage<Response> history(@PathParam("customerId") String customerId, @QueryParam("page_id") String pageId,
            @QueryParam("before") String before, @QueryParam("limit") String limit) {
        Map<String, Object> query = new HashMap<>();
        query.put("page_id", pageId);
        query.put("before", before);
        query.put("limit", limit);
        return customers.get(jwt.getRawToken(), path(customerId, "/messages"), query).thenApply(ConsoleResource::relay);
    }

    @GET
    @Path("/profile")
    public CompletionStage<Response> profile(@PathParam("customerId") String customerId, @QueryParam("page_id") String pageId) {
        return customers.get(jwt.getRawToken(), path(customerId, "/profile"), Map.of("page_id", pageId == null ? "" : pageId))
                .thenApply(ConsoleResource::relay);
    }

    @PUT
    @Path("/profile")
    public CompletionStage<Response> updateProfile(@PathParam("customerId") String customerId, JsonNode body) {
        return customers.put(jwt.getRawToken(), path(customerId, "/profile"), map(body)).thenApply(ConsoleResource::relay);
    }

    @PUT
    @Path("/stop")
    public CompletionStage<Response> stop(@PathParam("customerId") String customerId, JsonNode body) {
        return customers.put(jwt.getRawToken(), path(customerId, "/stop"), map(body)).thenApply(ConsoleResource::relay);
    }

    /** {@code {"typing": true|false}}: the indicator in the customer's Messenger, when the customer is the agent's. */
    @POST
    @Path("/typing")
    public CompletionStage<Response> typing(@PathParam("customerId") String customerId, JsonNode body) {
        boolean typing = body != null && body.path("typing").asBoolean(false);
        return staff.typingToCustomer(jwt.getRawToken(), jwt.getClaim("company_id"), customerId, typing)
                .thenApply(ConsoleResource::relay);
    }

    private Map<String, Object> map(JsonNode body) {
        return body == null || !body.isObject() ? Map.of() : json.convertValue(body, Map.class);
    }

    private static String path(String customerId, String action) {
        return CUSTOMERS + CustomerServiceClient.segment(customerId) + action;
    }

    static Response relay(Answer answer) {
        return Response.status(answer.status()).type(MediaType.APPLICATION_JSON).entity(answer.body()).build();
    }
}
