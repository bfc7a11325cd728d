package dev.handover.customer.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;

import dev.handover.customer.model.Message;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.customer.repository.PageRepository;

/**
 * The audit trail, readable by the company's admins: a customer's changes, and a page's own. Every message an agent
 * sent is in it too, read from the conversation itself (the message is the record of the send: who, when, which
 * text, what became of it), so a send costs no audit write of its own.
 */
@ApplicationScoped
public class AuditService {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final AuditRepository audit;
    private final PageRepository pages;
    private final MessageRepository messages;

    public AuditService(AuditRepository audit, PageRepository pages, MessageRepository messages) {
        this.audit = audit;
        this.pages = pages;
        this.messages = messages;
    }

    /** Newest first; another company's page is as absent as a missing one. */
    public List<Map<String, Object>> ofCustomer(Caller caller, String pageId, String customerId, Integer limit) {
        if (pageId == null || pageId.isBlank()) {
            throw ApiException.badRequest("page_id is required");
        }
        pages.owned(caller.companyId(), pageId).orElseThrow(ApiException::pageNotFound);
        int max = limit(limit);
        List<Map<String, Object>> entries = new ArrayList<>();
        Set<Object> logged = new HashSet<>();
        for (Document line : audit.ofCustomer(caller.companyId(), pageId, customerId, max)) {
            entries.add(view(line));
            if ("message_sent".equals(line.getString("action")) && line.get("after") instanceof Document after) {
                logged.add(after.get("message_id"));
            }
        }
        for (Message sent : messages.sentByAgents(pageId, customerId, max)) {
            if (caller.companyId().equals(sent.companyId) && !logged.contains(sent.id)) {
                entries.add(view(sent));
            }
        }
        entries.sort(Comparator.comparing((Map<String, Object> entry) -> Instant.parse((String) entry.get("at"))).reversed());
        return entries.size() > max ? List.copyOf(entries.subList(0, max)) : entries;
    }

    /**
     * The page's own changes (connected, token rotated, renamed, disconnected), newest first; still readable once the
     * company disconnected the page (its lines are the company's), never by another company.
     */
    public List<Map<String, Object>> ofPage(Caller caller, String pageId, Integer limit) {
        List<Document> lines = audit.ofPage(caller.companyId(), pageId, limit(limit));
        if (lines.isEmpty() && pages.owned(caller.companyId(), pageId).isEmpty()) {
            throw ApiException.pageNotFound();
        }
        return lines.stream().map(AuditService::view).toList();
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

    /** An agent's message as the audit line of its send. */
    private static Map<String, Object> view(Message sent) {
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("type", "agent");
        actor.put("id", sent.agentId);
        actor.put("name", sent.agentName);
        actor.put("email", sent.agentEmail);
        Map<String, Object> after = new LinkedHashMap<>();
        after.put("message_id", sent.id);
        after.put("status", sent.status);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", "message-" + sent.id);
        view.put("page_id", sent.pageId);
        view.put("customer_id", sent.customerId);
        view.put("action", "message_sent");
        view.put("actor", actor);
        view.put("before", null);
        view.put("after", after);
        view.put("reason", null);
        view.put("at", sent.createdAt.toString());
        return view;
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
