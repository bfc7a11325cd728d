package dev.handover.customer.rest;

import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import dev.handover.customer.service.AuditService;
import dev.handover.customer.service.PageService;

/** Pages: agents list their company's; admins connect them with proof, rotate tokens, rename, disconnect, audit. */
@Path("/api")
@Tag(name = "pages")
@SecurityRequirement(name = "jwt")
public class PageResource {

    private final PageService pages;
    private final AuditService audit;
    private final CurrentCaller caller;
    private final JsonWebToken jwt;

    public PageResource(PageService pages, AuditService audit, CurrentCaller caller, JsonWebToken jwt) {
        this.pages = pages;
        this.audit = audit;
        this.caller = caller;
        this.jwt = jwt;
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
    @Operation(summary = "Connect a page to the admin's company with its page access token (checked with Facebook)")
    public Response connect(Requests.PageBody body) {
        var page = pages.connect(caller.get(), bearer(), body == null ? null : body.pageId(),
                body == null ? null : body.pageAccessToken());
        return Response.status(201).entity(Responses.PageView.of(page)).build();
    }

    @PUT
    @Path("/admin/pages/{pageId}/token")
    @RolesAllowed("admin")
    @Operation(summary = "Replace the page access token of a page of the admin's company")
    public Responses.PageView rotateToken(@PathParam("pageId") String pageId, Requests.PageBody body) {
        return Responses.PageView.of(pages.rotateToken(caller.get(), bearer(), pageId,
                body == null ? null : body.pageAccessToken()));
    }

    @PUT
    @Path("/admin/pages/{pageId}")
    @RolesAllowed("admin")
    @Operation(summary = "Rename a page of the admin's company, or set how its bot hands over (flag or protocol)")
    public Responses.PageView update(@PathParam("pageId") String pageId, Requests.PageBody body) {
        if (body == null || body.pageName() == null && body.handoverMode() == null && body.botAppId() == null) {
            throw dev.handover.customer.service.ApiException.badRequest("page_name or handover_mode is required");
        }
        var page = body.pageName() != null ? pages.rename(caller.get(), pageId, body.pageName()) : null;
        if (body.handoverMode() != null || body.botAppId() != null) {
            page = pages.handoverMode(caller.get(), pageId, body.handoverMode(), body.botAppId());
        }
        return Responses.PageView.of(page);
    }

    @DELETE
    @Path("/admin/pages/{pageId}")
    @RolesAllowed("admin")
    @Operation(summary = "Disconnect a page of the admin's company; its token is forgotten")
    public Response disconnect(@PathParam("pageId") String pageId) {
        pages.disconnect(caller.get(), bearer(), pageId);
        return Response.noContent().build();
    }

    @GET
    @Path("/admin/pages/{pageId}/audit")
    @RolesAllowed("admin")
    @Operation(summary = "The page's own audit trail, newest first")
    public Map<String, Object> pageAudit(@PathParam("pageId") String pageId, @QueryParam("limit") Integer limit) {
        return Map.of("entries", audit.ofPage(caller.get(), pageId, limit));
    }

    private String bearer() {
        return "Bearer " + jwt.getRawToken();
    }
}
