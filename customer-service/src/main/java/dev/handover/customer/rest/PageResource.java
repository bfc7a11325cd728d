package dev.handover.customer.rest;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.service.PageService;

/** Pages: agents list their company's; admins register and rename them. */
@Path("/api")
@Tag(name = "pages")
@SecurityRequirement(name = "jwt")
public class PageResource {

    private final PageService pages;
    private final CurrentCaller caller;

    public PageResource(PageService pages, CurrentCaller caller) {
        this.pages = pages;
        this.caller = caller;
    }

    @GET
    @Path("/dashboard/pages")
    @RolesAllowed({ "agent", "admin" })
    @Operation(summary = "Pages of the caller's company")
    public List<Responses.PageView> list() {
        return pages.ofCompany(caller.get()).stream().map(Responses.PageView::of).toList();
    }

    @POST
    @Path("/admin/pages")
    @RolesAllowed("admin")
    @Operation(summary = "Register a page for the admin's company")
    public Response create(Requests.PageBody body) {
        var page = pages.create(caller.get(), body == null ? null : body.pageId(), body == null ? null : body.pageName());
        return Response.status(201).entity(Responses.PageView.of(page)).build();
    }

    @PUT
    @Path("/admin/pages/{pageId}")
    @RolesAllowed("admin")
    @Operation(summary = "Rename a page of the admin's company")
    public Responses.PageView rename(@PathParam("pageId") String pageId, Requests.PageBody body) {
        return Responses.PageView.of(pages.rename(caller.get(), pageId, body == null ? null : body.pageName()));
    }
}
