package dev.handover.customer.rest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.service.ApiException;
import dev.handover.customer.service.Caller;
import dev.handover.customer.service.CustomerService;
import dev.handover.customer.service.QueueService;

/**
 * The agents' REST API: the spec's four endpoints, and what the gateway calls with the agent's own token.
 * Maps HTTP to {@link CustomerService} and back; the rules live there.
 */
@Path("/api/dashboard/customers")
@RolesAllowed({ "agent", "admin" })
@Tag(name = "customers")
@SecurityRequirement(name = "jwt")
public class CustomerResource {

    private static final int DEFAULT_LIMIT = 50;
    private static final int MAX_LIMIT = 200;

    private final CustomerService service;
    private final MessageRepository messages;
    private final QueueService queue;
    private final CurrentCaller caller;
    private final Clock clock;

    public CustomerResource(CustomerService service, MessageRepository messages, QueueService queue,
            CurrentCaller caller, Clock clock) {
        this.service = service;
        this.queue = queue;
        this.messages = messages;
        this.caller = caller;
        this.clock = clock;
    }

    @GET
    @Operation(summary = "Customers of the caller's company, most recently seen first")
    public Responses.Customers list(@QueryParam("page_id") String pageId, @QueryParam("page") String page,
            @QueryParam("limit") String limit) {
        int pageNumber = number(page, "page", 1, 1, Integer.MAX_VALUE / MAX_LIMIT);
        int size = limit(limit);
        var slice = service.list(caller.get(), blankToNull(pageId), (pageNumber - 1) * size, size);
        long pages = (slice.total() + size - 1) / size;
        return new Responses.Customers(slice.customers().stream().map(Customer::snapshot).toList(),
                new Responses.Pagination(pageNumber, size, slice.total(), pages, pageNumber < pages));
    }

    @GET
    @Path("/stopped")
    @Operation(summary = "Customers waiting for a human, longest waiting first")
    public Responses.Stopped stopped(@QueryParam("page_id") String pageId, @QueryParam("skip") String skip,
            @QueryParam("limit") String limit) {
        int size = limit(limit);
        int offset = number(skip, "skip", 0, 0, Integer.MAX_VALUE);
        String page = blankToNull(pageId);
        Caller me = caller.get();
        var slice = service.stopped(me, page, offset, size);
        Instant now = clock.instant();
        QueueService.Queue queue = this.queue.of(me.companyId());
        List<Responses.StoppedCustomer> customers = slice.customers().stream()
                .map(c -> Responses.StoppedCustomer.of(c, me, now, queue.of(c))).toList();
        return new Responses.Stopped(customers,
                new Responses.SkipPagination(slice.total(), size, offset, offset + customers.size() < slice.total()), page);
    }

    @GET
    @Path("/search")
    @Operation(summary = "Customers of the caller's company by name: every word of q starts a word of their name")
    public java.util.Map<String, Object> search(@QueryParam("q") String q, @QueryParam("limit") String limit) {
        Caller me = caller.get();
        Instant now = clock.instant();
        var found = service.search(me, q, limit(limit)).stream()
                .map(c -> Responses.StoppedCustomer.of(c, me, now, queue.of(c))).toList();
        return java.util.Map.of("customers", found, "total", found.size());
    }

    @GET
    @Path("/lookup/{customerID}")
    @Operation(summary = "A customer of the caller's company by Facebook id alone, with its page")
    public Responses.StoppedCustomer lookup(@PathParam("customerID") String customerId) {
        Caller me = caller.get();
        Customer c = service.lookup(me, customerId);
        return Responses.StoppedCustomer.of(c, me, clock.instant(), queue.of(c));
    }

    @PUT
    @Path("/{customerID}/agent")
    @Operation(summary = "Update the agent name shown for a customer")
    public Responses.Updated agentName(@PathParam("customerID") String customerId, Requests.AgentName body) {
        Customer customer = service.updateAgentName(caller.get(), customerId, pageId(body == null ? null : body.pageId()),
                body.agentName());
        return new Responses.Updated("Agent name updated successfully", customer.snapshot());
    }

    @PUT
    @Path("/{customerID}/stop")
    @Operation(summary = "Set whether the customer wants a real person")
    public Responses.Updated stop(@PathParam("customerID") String customerId, Requests.Stop body) {
        String pageId = pageId(body == null ? null : body.pageId());
        if (body.stop() == null) {
            throw ApiException.badRequest("stop is required");
        }
        Customer customer = service.setStop(caller.get(), customerId, pageId, body.stop());
        return new Responses.Updated("Customer status updated successfully", customer.snapshot());
    }

    @POST
    @Path("/{customerID}/toggle-stop")
    @Operation(summary = "Flip the customer's stop status")
    public Responses.Toggled toggle(@PathParam("customerID") String customerId, Requests.PageRef body) {
        var toggle = service.toggleStop(caller.get(), customerId, pageId(body == null ? null : body.pageId()));
        return new Responses.Toggled("Customer status toggled successfully", toggle.customer().snapshot(),
                toggle.previousStop(), toggle.customer().stop);
    }

    @POST
    @Path("/{customerID}/assign")
    @Operation(summary = "Take a waiting customer (atomic: exactly one agent wins)")
    public Responses.Assigned assign(@PathParam("customerID") String customerId, Requests.PageRef body) {
        Customer customer = service.assign(caller.get(), customerId, pageId(body == null ? null : body.pageId()));
        return new Responses.Assigned(customer.snapshot(), customer.agentId, customer.agentEmail, customer.agentName);
    }

    @POST
    @Path("/{customerID}/transfer")
    @Operation(summary = "Hand a customer to another agent of the company (their agent, or an admin)")
    public Responses.Assigned transfer(@PathParam("customerID") String customerId, Requests.Transfer body) {
        Customer customer = service.transfer(caller.get(), customerId, pageId(body == null ? null : body.pageId()),
                body == null ? null : body.toAgentId());
        return new Responses.Assigned(customer.snapshot(), customer.agentId, customer.agentEmail, customer.agentName);
    }

    @POST
    @Path("/{customerID}/unassign")
    @Operation(summary = "Release a customer back to the queue (only the assigned agent)")
    public Responses.Unassigned unassign(@PathParam("customerID") String customerId, Requests.PageRef body) {
        return new Responses.Unassigned(
                service.unassign(caller.get(), customerId, pageId(body == null ? null : body.pageId())).snapshot());
    }

    @POST
    @Path("/{customerID}/messages")
    @Operation(summary = "Send a text to the customer through Messenger (assigns an unassigned customer)")
    public Responses.Sent send(@PathParam("customerID") String customerId, Requests.Send body) {
        String pageId = pageId(body == null ? null : body.pageId());
        Message message = service.send(caller.get(), customerId, pageId, body.message());
        return new Responses.Sent(message.id, customerId, pageId, message.text, message.status,
                message.createdAt.getEpochSecond());
    }

    @GET
    @Path("/{customerID}/messages")
    @Operation(summary = "The conversation, newest first, by cursor")
    public Responses.History history(@PathParam("customerID") String customerId, @QueryParam("page_id") String pageId,
            @QueryParam("before") String before, @QueryParam("limit") String limit) {
        int size = limit(limit);
        service.get(caller.get(), customerId, pageId(pageId));
        Cursor cursor = Cursor.parse(before);
        List<Message> page = messages.history(pageId, customerId, cursor == null ? null : cursor.at(),
                cursor == null ? null : cursor.id(), size + 1);
        boolean more = page.size() > size;
        List<Message> shown = more ? page.subList(0, size) : page;
        String next = more ? new Cursor(shown.get(size - 1).createdAt, shown.get(size - 1).id).encode() : null;
        return new Responses.History(shown.stream().map(Responses.HistoryMessage::of).toList(), next, more);
    }

    @GET
    @Path("/{customerID}/profile")
    @Operation(summary = "What agents noted about the customer")
    public Responses.Profile profile(@PathParam("customerID") String customerId, @QueryParam("page_id") String pageId) {
        Customer c = service.get(caller.get(), customerId, pageId(pageId));
        return new Responses.Profile(c.taxCode, c.companyName, c.notes);
    }

    @PUT
    @Path("/{customerID}/profile")
    @Operation(summary = "Update what agents noted about the customer; absent fields stay")
    public Responses.Profile updateProfile(@PathParam("customerID") String customerId, Requests.Profile body) {
        String pageId = pageId(body == null ? null : body.pageId());
        Customer c = service.updateProfile(caller.get(), customerId, pageId, body.taxCode(), body.companyName(), body.notes());
        return new Responses.Profile(c.taxCode, c.companyName, c.notes);
    }

    /** The page named by a request body, required. */
    static String pageId(String pageId) {
        if (pageId == null || pageId.isBlank()) {
            throw ApiException.badRequest("page_id is required");
        }
        return pageId;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** A page size: the spec's "max: 200" caps a larger one rather than refusing it. */
    private static int limit(String text) {
        return Math.min(MAX_LIMIT, number(text, "limit", DEFAULT_LIMIT, 1, Integer.MAX_VALUE));
    }

    private static int number(String text, String name, int fallback, int min, int max) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiException.badRequest(name + " must be a whole number from " + min
                + (max == Integer.MAX_VALUE ? " up" : " to " + max));
    }

    /** Where a page of history ends: the last message's time and id, opaque to clients. */
    record Cursor(Instant at, String id) {
        String encode() {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString((at.toEpochMilli() + "|" + id).getBytes(StandardCharsets.UTF_8));
        }

        static Cursor parse(String text) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8);
                int bar = decoded.indexOf('|');
                return new Cursor(Instant.ofEpochMilli(Long.parseLong(decoded.substring(0, bar))), decoded.substring(bar + 1));
            } catch (RuntimeException e) {
                throw ApiException.badRequest("before is not a cursor this API gave out");
            }
        }
    }
}
