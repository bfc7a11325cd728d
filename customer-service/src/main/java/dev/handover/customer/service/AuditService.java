package dev.handover.customer.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;

import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.PageRepository;

/** The audit trail, readable by the company's admins: a customer's changes, and a page's own. */
@ApplicationScoped
public class AuditService {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final AuditRepository audit;
    private final PageRepository pages;

    public AuditService(AuditRepository audit, PageRepository pages) {
        this.audit = audit;
        this.pages = pages;
    }

    /** Newest first; another company's page is as absent as a missing one. */
    public List<Map<String, Object>> ofCustomer(Caller caller, String pageId, String customerId, Integer limit) {
        if (pageId == null || pageId.isBlank()) {
            throw ApiException.badRequest("page_id is required");
        }
        pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        return audit.ofCustomer(caller.companyId(), pageId, customerId, limit(limit)).stream().map(AuditService::view).toList();
    }

    /** The page's own changes (connected, token rotated, renamed), newest first. */
    public List<Map<String, Object>> ofPage(Caller caller, String pageId, Integer limit) {
        pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        return audit.ofPage(caller.companyId(), pageId, limit(limit)).stream().map(AuditService::view).toList();
    }

    private static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }

    private static Map<String, Object> view(Document entry) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", entry.getString("_id"));
        view.put("page_id", entry.getString("page_id"));
        view.put("customer_id", entry.getString("customer_id"));
        view.put("action", entry.getString("action"));
        view.put("actor", entry.get("actor"));
        view.put("before", entry.get("before"));
        view.put("after", entry.get("after"));
        view.put("reason", entry.getString("reason"));
        view.put("at", entry.getDate("at").toInstant().toString());
        return view;
    }
}
