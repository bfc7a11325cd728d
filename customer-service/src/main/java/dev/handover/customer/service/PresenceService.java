package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.handover.customer.model.Agent;
import dev.handover.customer.model.PresenceInstance;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.PresenceRepository;
import dev.handover.events.AgentRef;
import dev.handover.events.PresenceReport;

/**
 * Where each agent stands: {@code online} or {@code away} (their choice) while any gateway instance reports a
 * connection of theirs, on either protocol, and {@code offline} once none does: the last connection closed, or
 * the instance holding it stopped reporting (a crash). Every change is stored with its {@code
 * agent_status_changed} broadcast and audit line in one version-checked write, so it happens once across replicas,
 * and going offline starts the lease after which {@link Lifecycle} hands the agent's customers back to the queue.
 */
@ApplicationScoped
public class PresenceService {

    private static final Logger LOG = Logger.getLogger(PresenceService.class);
    private static final int BATCH = 100;
    private static final Set<String> CHOOSABLE = Set.of(Agent.ONLINE, Agent.AWAY);

    private final AgentRepository agents;
    private final PresenceRepository presence;
    private final CustomerRepository customers;
    private final AgentDirectory directory;
    private final SettingsService settings;
    private final Event<AgentChanged> changed;
    private final Clock clock;

    public PresenceService(AgentRepository agents, PresenceRepository presence, CustomerRepository customers,
            AgentDirectory directory, SettingsService settings, Event<AgentChanged> changed, Clock clock) {
        this.agents = agents;
        this.presence = presence;
        this.customers = customers;
        this.directory = directory;
        this.settings = settings;
        this.changed = changed;
        this.clock = clock;
    }

    /** A gateway instance's report for one company: stored until restated or expired, then applied. */
    public void report(PresenceReport report) {
        if (report.instanceId() == null || report.companyId() == null || report.ttlSeconds() <= 0) {
            LOG.warnf("Ignoring presence report without instance, company or time to live: %s", report);
            return;
        }
        PresenceInstance stored = new PresenceInstance();
        stored.id = PresenceInstance.key(report.instanceId(), report.companyId());
        stored.companyId = report.companyId();
        stored.instanceId = report.instanceId();
        stored.expiresAt = clock.instant().plusSeconds(report.ttlSeconds());
        List<AgentRef> connected = report.agents() == null ? List.of() : report.agents();
        for (AgentRef agent : connected) {
            if (agent != null && agent.id() != null) {
                directory.seen(new Caller(agent.id(), agent.name() != null ? agent.name() : agent.id(),
                        agent.email() != null ? agent.email() : agent.id(), report.companyId(), false));
                stored.agentIds.add(agent.id());
            }
        }
        if (stored.agentIds.isEmpty()) {
            presence.deleteById(stored.id);
        } else {
            presence.store(stored);
        }
        reconcile(report.companyId(), Reason.DISCONNECTED);
    }

    /** Forgets the reports of instances that stopped restating them; their agents go offline unless seen elsewhere. */
    public void expire() {
        for (PresenceInstance report : presence.expired(clock.instant(), BATCH)) {
            if (presence.remove(report)) {
                LOG.infof("Gateway instance %s stopped reporting for %s: its agents count as disconnected",
                        report.instanceId, report.companyId);
                reconcile(report.companyId, Reason.GATEWAY_LOST);
            }
        }
    }

    /**
     * Brings every agent of the company to the status the current reports give them; {@code gone} says why an
     * agent no longer reported is offline.
     */
    void reconcile(String companyId, Reason gone) {
        Set<String> connected = new HashSet<>();
        presence.current(companyId, clock.instant()).forEach(report -> connected.addAll(report.agentIds));
        for (Agent agent : agents.ofCompany(companyId)) {
            if (!Objects.equals(target(agent, connected), agent.status)) {
                if (agents.change(agent.id, a -> {
                    String target = target(a, connected);
                    if (Objects.equals(target, a.status)) {
                        return false;
                    }
                    become(a, target, Outbox.SYSTEM, Agent.OFFLINE.equals(target) ? gone : Reason.CONNECTED);
                    return true;
                })) {
                    changed.fire(new AgentChanged(agent.id));
                }
            }
        }
    }

    private static String target(Agent agent, Set<String> connected) {
        if (connected.contains(agent.agentId)) {
            return agent.connectedStatus();
        }
        return agent.status == null ? null : Agent.OFFLINE;
    }

    /** The caller chooses {@code online} or {@code away}: their status now if connected, and whenever they are. */
    public Map<String, Object> choose(Caller caller, String status) {
        if (status == null || !CHOOSABLE.contains(status)) {
            throw ApiException.badRequest("status must be online or away");
        }
        String id = Agent.key(caller.companyId(), caller.agentId());
        if (agents.change(id, a -> {
            boolean connected = a.status != null && !Agent.OFFLINE.equals(a.status);
            if (status.equals(a.connectedStatus()) && (!connected || status.equals(a.status))) {
                return false;
            }
            a.chosenStatus = status;
            if (connected) {
                become(a, status, caller.agent(), Reason.SET_BY_AGENT);
            }
            return true;
        })) {
            changed.fire(new AgentChanged(id));
        }
        return view(agents.findById(id));
    }

    /** The company's agents with their status and how many customers each holds. */
    public List<Map<String, Object>> list(Caller caller) {
        return agents.ofCompany(caller.companyId()).stream().map(this::view).toList();
    }

    /** The caller as {@link #list} shows them. */
    public Map<String, Object> me(Caller caller) {
        Agent agent = agents.findById(Agent.key(caller.companyId(), caller.agentId()));
        if (agent == null) {
            agent = new Agent();
            agent.companyId = caller.companyId();
            agent.agentId = caller.agentId();
            agent.agentName = caller.name();
            agent.agentEmail = caller.email();
        }
        return view(agent);
    }

    private Map<String, Object> view(Agent agent) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("agent_id", agent.agentId);
        view.put("agent_name", agent.agentName);
        view.put("agent_email", agent.agentEmail);
        view.put("status", agent.shownStatus());
        view.put("status_since", agent.statusSince);
        view.put("active_chats", customers.activeChats(agent.companyId, agent.agentId));
        return view;
    }

    /** Moves the agent to {@code status} with its broadcast and audit line; offline starts the lease. */
    private void become(Agent a, String status, AgentRef actor, Reason reason) {
        Instant now = clock.instant();
        String previous = a.status;
        a.status = status;
        a.statusSince = now;
        a.leaseDueAt = Agent.OFFLINE.equals(status)
                ? now.plusSeconds(settings.recent(a.companyId).presenceGraceSeconds) : null;
        Outbox.statusChanged(a, previous, customers.activeChats(a.companyId, a.agentId), actor, reason, now);
    }
}
