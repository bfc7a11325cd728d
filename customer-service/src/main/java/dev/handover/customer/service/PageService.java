package dev.handover.customer.service;

import java.time.Instant;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;

import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoWriteException;

import dev.handover.customer.client.BridgeClient;
import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.Page;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.PageRepository;

/**
 * Which company owns which page. A company admin connects a page with its page access token; messenger-bridge
 * proves with Facebook that the token belongs to the page before the page is the company's, and a page
 * connected to one company is refused to every other (only after that proof, so a refusal reveals nothing to
 * someone without the token). Every change is audited.
 */
@ApplicationScoped
public class PageService {

    private static final Logger LOG = Logger.getLogger(PageService.class);
    private static final int MAX_FIELD = 200;
    private static final int MAX_TOKEN = 1000;

    private final PageRepository pages;
    private final CustomerRepository customers;
    private final AuditRepository audit;
    private final BridgeClient bridge;
    private final Clock clock;
    private final Recent<String, Page> recent;

    public PageService(PageRepository pages, CustomerRepository customers, AuditRepository audit,
            @RestClient BridgeClient bridge, Clock clock) {
        this.pages = pages;
        this.customers = customers;
        this.audit = audit;
        this.bridge = bridge;
        this.clock = clock;
        this.recent = new Recent<>(SettingsService.RECENT, clock);
    }

    /**
     * The page as read at most a few seconds ago ({@link Recent}; a change made here is seen at once), for every
     * inbound event and stop change; {@code null} for a page nobody connected. The caller must not change it.
     */
    public Page recent(String pageId) {
        return recent.get(pageId, pages::findById);
    }

    /**
     * The page if the caller's company owns it, as read at most a few seconds ago ({@link #recent}): every agent
     * command checks it, and a page disconnected or moved through this replica is refused at once, through another
     * within {@link SettingsService#RECENT}; in that window messenger-bridge, which checks the page's company for
     * every send, refuses to send as it. Another company's page is as absent as a missing one.
     */
    public Page owned(Caller caller, String pageId) {
        if (pageId == null || pageId.isBlank()) {
            throw ApiException.badRequest("page_id is required");
        }
        Page page = recent(pageId);
        if (page == null || !caller.companyId().equals(page.companyId)) {
            throw ApiException.pageNotFound();
        }
        return page;
    }

    public List<Page> ofCompany(Caller caller) {
        return pages.ofCompany(caller.companyId());
    }

    /** Connects a page to the caller's company, proved by its access token; {@code bearer} is the caller's JWT. */
    public Page connect(Caller caller, String bearer, String pageId, String pageAccessToken) {
        require(pageId, "page_id", MAX_FIELD);
        require(pageAccessToken, "page_access_token", MAX_TOKEN);
        String id = pageId.trim();
        Page existing = pages.findById(id);
        String name = prove(bearer, id, pageAccessToken.trim());
        Instant now = clock.instant();
        if (existing != null && !existing.companyId.equals(caller.companyId())) {
            LOG.warnf("Page %s proved by company %s is registered to company %s", id, caller.companyId(), existing.companyId);
            throw new ApiException(409, "Page is connected to another company");
        }
        String nameBefore = existing == null ? null : existing.pageName;
        Page page = existing != null ? existing : new Page();
        page.pageId = id;
        page.companyId = caller.companyId();
        page.pageName = name;
        page.createdAt = existing != null ? existing.createdAt : now;
        page.updatedAt = now;
        try {
            if (existing == null) {
                pages.persist(page);
                recent.forget(page.pageId);
            } else {
                pages.update(page);
                recent.forget(page.pageId);
                if (!name.equals(nameBefore)) {
                    customers.renamePage(id, name);
                }
            }
        } catch (MongoWriteException e) {
            if (e.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                throw new ApiException(409, "Page is connected to another company");
            }
            throw e;
        }
        record(caller, page, existing == null ? "page_connected" : "page_token_rotated",
                existing == null ? null : Map.of("page_name", nameBefore), Map.of("page_name", name), now);
        return page;
    }

    /** Replaces the access token of a page of the caller's company, proved again with Facebook. */
    public Page rotateToken(Caller caller, String bearer, String pageId, String pageAccessToken) {
        Page page = pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        require(pageAccessToken, "page_access_token", MAX_TOKEN);
        String before = page.pageName;
        page.pageName = prove(bearer, page.pageId, pageAccessToken.trim());
        page.updatedAt = clock.instant();
        pages.update(page);
        recent.forget(page.pageId);
        if (!page.pageName.equals(before)) {
            customers.renamePage(page.pageId, page.pageName);
        }
        record(caller, page, "page_token_rotated", Map.of("page_name", before), Map.of("page_name", page.pageName),
                page.updatedAt);
        return page;
    }

    /** Disconnects a page of the caller's company: its token is forgotten, its customers stay readable. */
    public void disconnect(Caller caller, String bearer, String pageId) {
        Page page = pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        try {
            bridge.disconnect(bearer, page.pageId);
        } catch (WebApplicationException e) {
            if (e.getResponse().getStatus() != 404) {
                throw bridgeRefused(e);
            }
        } catch (ProcessingException e) {
            throw bridgeUnreachable(e);
        }
        pages.deleteById(page.pageId);
        recent.forget(page.pageId);
        record(caller, page, "page_disconnected", Map.of("page_name", page.pageName), null, clock.instant());
    }

    public Page rename(Caller caller, String pageId, String pageName) {
        require(pageName, "page_name", MAX_FIELD);
        Page page = pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        String before = page.pageName;
        Instant now = clock.instant();
        page.pageName = pageName.trim();
        page.updatedAt = now;
        pages.update(page);
        recent.forget(page.pageId);
        customers.renamePage(page.pageId, page.pageName);
        record(caller, page, "page_renamed", Map.of("page_name", before), Map.of("page_name", page.pageName), now);
        return page;
    }

    /**
     * Sets how the page's bot learns of a handoff: {@code flag}, or {@code protocol} with the bot's app id
     * (numeric, as Facebook gives it). A mode not named keeps the page's; audited as {@code page_handover_changed}.
     */
    public Page handoverMode(Caller caller, String pageId, String mode, String botAppId) {
        Page page = pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        String newMode = mode != null ? mode : page.mode();
        if (!Page.FLAG.equals(newMode) && !Page.PROTOCOL.equals(newMode)) {
            throw ApiException.badRequest("handover_mode must be flag or protocol");
        }
        String newBot = botAppId != null ? botAppId.trim() : page.botAppId;
        if (newBot != null && !newBot.matches("[0-9]{1,20}")) {
            throw ApiException.badRequest("bot_app_id must be the bot's numeric Facebook app id");
        }
        if (Page.PROTOCOL.equals(newMode) && newBot == null) {
            throw ApiException.badRequest("bot_app_id is required for handover_mode protocol");
        }
        Map<String, Object> before = new java.util.LinkedHashMap<>();
        before.put("handover_mode", page.mode());
        before.put("bot_app_id", page.botAppId);
        Instant now = clock.instant();
        page.handoverMode = newMode;
        page.botAppId = newBot;
        page.updatedAt = now;
        pages.update(page);
        recent.forget(page.pageId);
        Map<String, Object> after = new java.util.LinkedHashMap<>();
        after.put("handover_mode", page.mode());
        after.put("bot_app_id", page.botAppId);
        record(caller, page, "page_handover_changed", before, after, now);
        return page;
    }

    /** The page's name from Facebook once the bridge has proved the token and kept it. */
    private String prove(String bearer, String pageId, String token) {
        try {
            JsonNode answer = bridge.connect(bearer, pageId, Map.of("page_access_token", token));
            return answer.path("page_name").asText(pageId);
        } catch (WebApplicationException e) {
            throw bridgeRefused(e);
        } catch (ProcessingException e) {
            throw bridgeUnreachable(e);
        }
    }

    private static ApiException bridgeRefused(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String error;
        try {
            error = e.getResponse().readEntity(JsonNode.class).path("error").asText("Page connection refused");
        } catch (RuntimeException unreadable) {
            error = "Page connection refused";
        }
        if (status == 401 || status == 403) {
            LOG.errorf("messenger-bridge refused the admin's token (%d): check that both verify the same JWT issuer and key", status);
            return new ApiException(502, "messenger-bridge refused the request");
        }
        return new ApiException(status, error);
    }

    private static ApiException bridgeUnreachable(ProcessingException e) {
        LOG.warnf("messenger-bridge unreachable: %s", e.toString());
        return new ApiException(503, "messenger-bridge unavailable, try again");
    }

    private void record(Caller caller, Page page, String action, Map<String, Object> before, Map<String, Object> after,
            Instant at) {
        audit.write(new AuditEntry(UUID.randomUUID().toString(), caller.companyId(), page.pageId, null, action, "agent",
                caller.agentId(), caller.name(), caller.email(), before, after, null, at));
    }

    private static void require(String value, String name, int max) {
        if (value == null || value.isBlank()) {
            throw ApiException.badRequest(name + " is required");
        }
        if (value.length() > max) {
            throw ApiException.badRequest(name + " is longer than " + max + " characters");
        }
    }
}
