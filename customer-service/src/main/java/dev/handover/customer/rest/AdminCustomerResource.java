package dev.handover.customer.rest;

import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.model.Customer;
import dev.handover.customer.service.AuditService;
import dev.handover.customer.service.CustomerService;

/** What a company's admins may do with any of its customers: read their audit trail, take them from an absent agent, hand them on. */
@Path("/api/admin/customers/{customerID}")
@Tag(name = "admin")
@SecurityRequirement(name = "jwt")
@RolesAllowed("admin")
public class AdminCustomerResource {

    private final CustomerService service;
    private final AuditService audit;
    private final CurrentCaller caller;

    public AdminCustomerResource(CustomerService service, AuditService audit, CurrentCaller caller) {
        this.service = service;
        this.audit = audit;
        this.caller = caller;
    }

    @GET
    @Path("/audit")
    @Operation(summary = "A customer's audit trail, newest first")
    public Map<String, Object> audit(@PathParam("customerID") String customerId, @QueryParam("page_id") String pageId,
            @QueryParam("limit") Integer limit) {
        return Map.of("entries", audit.ofCustomer(caller.get(), pageId, customerId, limit));
    }

    @POST
    @Path("/release")
    @Operation(summary = "Send an assigned customer back to the queue")
    public Responses.Unassigned release(@PathParam("customerID") String customerId, Requests.PageRef body) {
        return new Responses.Unassigned(service.releaseByAdmin(caller.get(), customerId, CustomerResource.pageId(body == null ? null
                : body.pageId())).snapshot());
    }

    @POST
    @Path("/transfer")
    @Operation(summary = "Hand a customer to an agent of the company")
    public Responses.Assigned transfer(@PathParam("customerID") String customerId, Requests.Transfer body) {
        Customer customer = service.transfer(caller.get(), customerId, CustomerResource.pageId(body == null ? null : body.pageId()),
                body == null ? null : body.toAgentId());
        return new Responses.Assigned(customer.snapshot(), customer.agentId, customer.agentEmail, customer.agentName);
    }
}
