package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.handover.customer.model.AuditEntry;
import dev.handover.customer.model.CannedReply;
import dev.handover.customer.model.CompanySettings;
import dev.handover.customer.repository.AuditRepository;
import dev.handover.customer.repository.SettingsRepository;

/**
 * Reads and changes a company's {@link CompanySettings}. A change names only the settings it changes; each is
 * checked (a bad one refuses the whole change with a 400 naming it and its range) and the change is audited.
 */
@ApplicationScoped
public class SettingsService {

    /** The Send API's limit for a text. */
    static final int MAX_TEXT = 2000;
    static final Duration RECENT = Duration.ofSeconds(5);
    static final int MAX_CANNED = 100;
    private static final Pattern SHORTCUT = Pattern.compile("[A-Za-z0-9_-]{1,32}");


    private final Recent<String, CompanySettings> recent;
    private final SettingsRepository settings;
    private final AuditRepository audit;
    private final Clock clock;

    public SettingsService(SettingsRepository settings, AuditRepository audit, Clock clock) {
        this.settings = settings;
        this.recent = new Recent<>(RECENT, clock);
        this.audit = audit;
        this.clock = clock;
    }

    /** The company's settings, or the defaults when it never saved any. */
    public CompanySettings of(String companyId) {
        CompanySettings stored = settings.findById(companyId);
        CompanySettings current = stored != null ? stored : CompanySettings.defaults(companyId);
        recent.put(companyId, current);
        return current;
    }

    /**
     * The settings as read at most {@link #RECENT} ago, for the rules applied on every customer message (a
     * change made through another replica reaches this one within that time).
     */
    public CompanySettings recent(String companyId) {
        return recent.get(companyId, this::of);
    }


    public CompanySettings change(Caller caller, JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ApiException.badRequest("Invalid JSON body");
        }
        CompanySettings s = of(caller.companyId());
        Map<String, Object> before = view(s);
        for (Iterator<Map.Entry<String, JsonNode>> fields = body.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "presence_grace_seconds" -> s.presenceGraceSeconds = number(field.getKey(), value, 1, 86_400);
                case "response_timeout_seconds" -> s.responseTimeoutSeconds = number(field.getKey(), value, 0, 86_400);
                case "max_wait_seconds" -> s.maxWaitSeconds = number(field.getKey(), value, 0, 604_800);
                case "max_active_chats" -> s.maxActiveChats = number(field.getKey(), value, 0, 1_000);
                case "queue_message" -> s.queueMessage = text(field.getKey(), value);
                case "no_agent_message" -> s.noAgentMessage = text(field.getKey(), value);
                case "max_wait_message" -> s.maxWaitMessage = text(field.getKey(), value);
                case "canned_replies" -> s.cannedReplies = cannedReplies(value);
                case "metrics_bucket" -> {
                    // shown, never set: what a client read may be sent back whole
                }
                default -> throw ApiException.badRequest("Unknown setting: " + field.getKey());
            }
        }
        Map<String, Object> after = view(s);
        if (!after.equals(before)) {
            s.updatedAt = clock.instant();
            settings.persistOrUpdate(s);
            recent.put(s.companyId, s);
            Map<String, Object> was = new LinkedHashMap<>();
            Map<String, Object> now = new LinkedHashMap<>();
            after.forEach((name, v) -> {
                if (!v.equals(before.get(name))) {
                    was.put(name, before.get(name));
                    now.put(name, v);
                }
            });
            audit.write(new AuditEntry(UUID.randomUUID().toString(), caller.companyId(), null, null, "settings_changed",
                    "agent", caller.agentId(), caller.name(), caller.email(), was, now, null, s.updatedAt));
        }
        return s;
    }

    /** The settings as the API shows them, by their names. */
    public static Map<String, Object> view(CompanySettings s) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("presence_grace_seconds", s.presenceGraceSeconds);
        view.put("response_timeout_seconds", s.responseTimeoutSeconds);
        view.put("max_wait_seconds", s.maxWaitSeconds);
        view.put("max_active_chats", s.maxActiveChats);
        view.put("queue_message", s.queueMessage);
        view.put("no_agent_message", s.noAgentMessage);
        view.put("max_wait_message", s.maxWaitMessage);
        view.put("canned_replies", cannedReplies(s));
        // where an operator finds the company in the metrics of waiting customers
        view.put("metrics_bucket", CustomerMetrics.bucket(s.companyId));
        return view;
    }

    /** The company's canned replies as the API shows them: {@code [{"shortcut", "text"}]}, in their order. */
    public static List<Map<String, String>> cannedReplies(CompanySettings s) {
        List<Map<String, String>> replies = new ArrayList<>();
        for (CannedReply reply : s.cannedReplies == null ? List.<CannedReply>of() : s.cannedReplies) {
            Map<String, String> view = new LinkedHashMap<>();
            view.put("shortcut", reply.shortcut);
            view.put("text", reply.text);
            replies.add(view);
        }
        return replies;
    }

    private static List<CannedReply> cannedReplies(JsonNode value) {
        String rule = "canned_replies must be a list of at most " + MAX_CANNED + " {\"shortcut\", \"text\"} with distinct shortcuts"
                + " (1 to 32 letters, digits, - or _) and texts of 1 to " + MAX_TEXT + " characters";
        if (!value.isArray() || value.size() > MAX_CANNED) {
            throw ApiException.badRequest(rule);
        }
        List<CannedReply> replies = new ArrayList<>();
        Set<String> shortcuts = new HashSet<>();
        for (JsonNode item : value) {
            String shortcut = item.path("shortcut").isTextual() ? item.path("shortcut").textValue() : "";
            String text = item.path("text").isTextual() ? item.path("text").textValue() : "";
            if (!SHORTCUT.matcher(shortcut).matches() || text.isBlank() || text.length() > MAX_TEXT
                    || item.size() != 2 || !shortcuts.add(shortcut)) {
                throw ApiException.badRequest(rule);
            }
            replies.add(new CannedReply(shortcut, text));
        }
        return replies;
    }

    private static int number(String name, JsonNode value, int min, int max) {
        if (value.isIntegralNumber() && value.canConvertToInt() && value.intValue() >= min && value.intValue() <= max) {
            return value.intValue();
        }
        throw ApiException.badRequest(name + " must be a whole number from " + min + " to " + max);
    }

    private static String text(String name, JsonNode value) {
        if (value.isTextual() && value.textValue().length() <= MAX_TEXT) {
            return value.textValue();
        }
        throw ApiException.badRequest(name + " must be text of at most " + MAX_TEXT + " characters");
    }
}
