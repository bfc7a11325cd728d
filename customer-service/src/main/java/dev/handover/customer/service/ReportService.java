package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;

import dev.handover.customer.repository.AuditRepository;

/**
 * A company's handoff figures over a period, from its audit log: per company and per agent, the customers
 * handled (assignments), the wait (request for a human to assignment), the first response (assignment to the
 * agent's first message) and the handle time (assignment to release or transfer), each as p50 and p90 in
 * seconds ({@code null} without any). A transfer ends the first agent's handling and starts the second's (no
 * wait counted for it). The same figures per UTC day ({@code days}, every day of the period, for charts): a wait
 * and a hand-over count on the day of the assignment, a first response on the day of the message, a handle time
 * on the day it ended; and per agent per UTC day ({@code agents[].days}), so a chart shows one agent's week.
 * Entries are read once, in time order, through the index {@code company_id, at}.
 */
@ApplicationScoped
public class ReportService {

    static final Duration DEFAULT_PERIOD = Duration.ofDays(7);
    static final Duration MAX_PERIOD = Duration.ofDays(92);
    private static final List<String> ACTIONS = List.of("stop_changed", "assigned", "unassigned", "message_sent");

    private final AuditRepository audit;
    private final Clock clock;

    public ReportService(AuditRepository audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    public Map<String, Object> report(Caller caller, String fromText, String toText) {
        if (!caller.admin()) {
            throw ApiException.adminsOnly();
        }
        Instant to = time(toText, "to", clock.instant());
        Instant from = time(fromText, "from", to.minus(DEFAULT_PERIOD));
        if (!from.isBefore(to)) {
            throw ApiException.badRequest("from must be before to");
        }
        if (Duration.between(from, to).compareTo(MAX_PERIOD) > 0) {
            throw ApiException.badRequest("A report covers at most " + MAX_PERIOD.toDays() + " days");
        }
        List<LocalDate> period = new ArrayList<>();
        for (LocalDate day = day(from); !day.isAfter(day(to.minusMillis(1))); day = day.plusDays(1)) {
            period.add(day);
        }
        Figures company = new Figures(null, null, null, period);
        Map<String, Figures> agents = new TreeMap<>();
        Map<String, Open> open = new HashMap<>();
        List<Document> entries = new ArrayList<>(audit.between(caller.companyId(), ACTIONS, from, to));
        // one write's lines share their time: a request before its assignment, an assignment before its message
        entries.sort(Comparator.comparing((Document e) -> e.getDate("at")).thenComparing(e -> ACTIONS.indexOf(e.getString("action"))));
        for (Document entry : entries) {
            String customer = entry.getString("page_id") + ":" + entry.getString("customer_id");
            Instant at = entry.getDate("at").toInstant();
            Document before = entry.get("before", Document.class);
            Document after = entry.get("after", Document.class);
            Document actor = entry.get("actor", Document.class);
            switch (entry.getString("action")) {
                case "stop_changed" -> {
                    if (after != null && Boolean.TRUE.equals(after.getBoolean("stop"))) {
                        open.put(customer, new Open(at, null, null, null));
                    }
                }
                case "assigned" -> {
                    Open was = open.get(customer);
                    if (was != null && was.agent() != null) {
                        close(was, at, agents, company);
                    }
                    String agentId = after == null ? null : after.getString("agent_id");
                    if (agentId == null) {
                        continue;
                    }
                    Figures agent = agents.computeIfAbsent(agentId, id -> new Figures(id, after.getString("agent_name"),
                            after.getString("agent_email"), period));
                    boolean requested = was != null && was.agent() == null && was.requestedAt() != null;
                    Long wait = requested ? Duration.between(was.requestedAt(), at).toSeconds() : null;
                    for (Figures f : List.of(agent, company, agent.on(at), company.on(at))) {
                        f.handled++;
                        if (wait != null) {
                            f.waits.add(wait);
                        }
                    }
                    open.put(customer, new Open(was == null ? null : was.requestedAt(), agentId, at, null));
                }
                case "message_sent" -> {
                    Open was = open.get(customer);
                    String by = actor == null ? null : actor.getString("id");
                    if (was != null && was.agent() != null && was.agent().equals(by) && was.answeredAt() == null) {
                        long first = Duration.between(was.assignedAt(), at).toSeconds();
                        Figures agent = agents.get(was.agent());
                        for (Figures f : List.of(agent, company, agent.on(at), company.on(at))) {
                            f.firstResponses.add(first);
                        }
                        open.put(customer, new Open(was.requestedAt(), was.agent(), was.assignedAt(), at));
                    }
                }
                case "unassigned" -> {
                    Open was = open.get(customer);
                    if (was != null && was.agent() != null && before != null && was.agent().equals(before.getString("agent_id"))) {
                        close(was, at, agents, company);
                        open.put(customer, new Open(at, null, null, null));
                    }
                }
                default -> {
                }
            }
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("from", from.toString());
        answer.put("to", to.toString());
        answer.put("company", company.view());
        List<Map<String, Object>> perAgent = new ArrayList<>();
        agents.values().forEach(a -> {
            Map<String, Object> view = a.view();
            view.put("days", a.daysView());
            perAgent.add(view);
        });
        answer.put("agents", perAgent);
        answer.put("days", company.daysView());
        return answer;
    }

    private static void close(Open was, Instant at, Map<String, Figures> agents, Figures company) {
        long handled = Duration.between(was.assignedAt(), at).toSeconds();
        Figures agent = agents.get(was.agent());
        for (Figures f : List.of(agent, company, agent.on(at), company.on(at))) {
            f.handles.add(handled);
        }
    }

    private static LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, ZoneOffset.UTC);
    }

    private static Instant time(String text, String name, Instant fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(name + " must be a time like 2026-01-31T00:00:00Z");
        }
    }

    /** A customer's handling in progress: asked at, by whom since when, first answered at. */
    private record Open(Instant requestedAt, String agent, Instant assignedAt, Instant answeredAt) {
    }

    /**
     * The durations of one agent, or of the whole company ({@code id} null), over the period and, when made with
     * the period's days, on each of them.
     */
    private static final class Figures {
        final String id;
        final String name;
        final String email;
        long handled;
        final List<Long> waits = new ArrayList<>();
        final List<Long> firstResponses = new ArrayList<>();
        final List<Long> handles = new ArrayList<>();
        final Map<LocalDate, Figures> days = new TreeMap<>();

        Figures(String id, String name, String email, List<LocalDate> period) {
            this(id, name, email);
            period.forEach(day -> days.put(day, new Figures(id, name, email)));
        }

        private Figures(String id, String name, String email) {
            this.id = id;
            this.name = name;
            this.email = email;
        }

        /** The figures of the day of {@code at}. */
        Figures on(Instant at) {
            return days.get(day(at));
        }

        List<Map<String, Object>> daysView() {
            List<Map<String, Object>> view = new ArrayList<>();
            days.forEach((day, figures) -> {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("date", day.toString());
                one.putAll(figures.totals());
                view.add(one);
            });
            return view;
        }

        Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            if (id != null) {
                view.put("agent_id", id);
                view.put("agent_name", name);
                view.put("agent_email", email);
            }
            view.putAll(totals());
            return view;
        }

        private Map<String, Object> totals() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("customers_handled", handled);
            view.put("wait_seconds", percentiles(waits));
            view.put("first_response_seconds", percentiles(firstResponses));
            view.put("handle_seconds", percentiles(handles));
            return view;
        }
    }

    /** p50 and p90 by the nearest-rank method; {@code null}s without values. */
    static Map<String, Long> percentiles(List<Long> values) {
        Map<String, Long> p = new LinkedHashMap<>();
        List<Long> sorted = values.stream().sorted().toList();
        p.put("p50", rank(sorted, 0.5));
        p.put("p90", rank(sorted, 0.9));
        return p;
    }

    private static Long rank(List<Long> sorted, double q) {
        return sorted.isEmpty() ? null : sorted.get((int) Math.ceil(q * sorted.size()) - 1);
    }
}
