package dev.handover.gateway.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.handover.events.AgentRef;
import dev.handover.events.PresenceReport;
import dev.handover.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;

/**
 * Which agents have a connection to this instance, on either protocol, reported to customer-service (topic
 * {@code staff.presence}), which decides their status: a company's report goes out shortly after it changes
 * (changes within {@code gateway.presence.debounce} go together), is restated every beat so that a lost record
 * heals and a crashed instance is noticed when its reports expire, and is emptied when the instance shuts down.
 * An agent whose last connection closed stays in the report for {@code gateway.presence.linger}.
 */
@ApplicationScoped
public class PresenceTracker {

    private static final Logger LOG = Logger.getLogger(PresenceTracker.class);

    private final MutinyEmitter<PresenceReport> out;
    private final Vertx vertx;
    private final String instance;
    private final Duration debounce;
    private final Duration linger;
    private final long ttlSeconds;
    /** company -> agent -> their connections here. */
    private final Map<String, Map<String, Agent>> companies = new ConcurrentHashMap<>();
    private final Set<String> scheduled = ConcurrentHashMap.newKeySet();

    public PresenceTracker(@Channel("staff-presence-out") MutinyEmitter<PresenceReport> out, Vertx vertx,
            GatewayConfig config) {
        this.out = out;
        this.vertx = vertx;
        this.instance = config.presence().instance();
        this.debounce = config.presence().debounce();
        this.linger = config.presence().linger();
        this.ttlSeconds = Math.max(1, config.presence().ttl().toSeconds());
    }

    /** One agent's open sessions here, and until when they count after the last one closed. */
    private static final class Agent {
        final AgentRef ref;
        final Map<String, AgentSession> sessions = new HashMap<>();
        long lingerUntil;

        Agent(AgentRef ref) {
            this.ref = ref;
        }
    }

    public void connected(AgentSession session) {
        while (true) {
            Map<String, Agent> agents = companies.computeIfAbsent(session.companyId(), c -> new HashMap<>());
            synchronized (agents) {
                if (companies.get(session.companyId()) != agents) {
                    continue; // emptied and forgotten in between: take the new one
                }
                agents.computeIfAbsent(session.agentId(), a -> new Agent(new AgentRef(session.agentId(),
                        session.agentName(), session.agentEmail()))).sessions.put(session.id(), session);
            }
            schedule(session.companyId(), debounce);
            return;
        }
    }

    public void disconnected(AgentSession session) {
        Map<String, Agent> agents = companies.get(session.companyId());
        if (agents == null) {
            return;
        }
        synchronized (agents) {
            Agent agent = agents.get(session.agentId());
            if (agent == null || agent.sessions.remove(session.id()) == null || !agent.sessions.isEmpty()) {
                return;
            }
            agent.lingerUntil = System.nanoTime() + linger.toNanos();
        }
        schedule(session.companyId(), linger.plus(debounce));
    }

    /** The agent's sessions open here, for what concerns them alone (their own status). */
    public List<AgentSession> sessionsOf(String companyId, String agentId) {
        Map<String, Agent> agents = companies.get(companyId);
        if (agents == null) {
            return List.of();
        }
        synchronized (agents) {
            Agent agent = agents.get(agentId);
            return agent == null ? List.of() : List.copyOf(agent.sessions.values());
        }
    }

    @Scheduled(every = "{gateway.presence.beat-interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        companies.keySet().forEach(this::publish);
    }

    void onStop(@Observes ShutdownEvent stop) {
        for (String companyId : companies.keySet()) {
            try {
                send(new PresenceReport(instance, companyId, List.of(), Instant.now(), ttlSeconds)).await()
                        .atMost(Duration.ofSeconds(2));
            } catch (RuntimeException e) {
                LOG.debugf("Final presence report of %s not sent: its report expires instead (%s)", companyId, e.toString());
            }
        }
    }

    private void schedule(String companyId, Duration delay) {
        if (scheduled.add(companyId + "@" + delay.toMillis())) {
            vertx.setTimer(Math.max(1, delay.toMillis()), timer -> {
                scheduled.remove(companyId + "@" + delay.toMillis());
                publish(companyId);
            });
        }
    }

    /** Sends the company's report; a company with nobody left here gets one empty report and is forgotten. */
    private void publish(String companyId) {
        Map<String, Agent> agents = companies.get(companyId);
        if (agents == null) {
            return;
        }
        List<AgentRef> connected = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (agents) {
            agents.values().removeIf(agent -> {
                agent.sessions.values().removeIf(AgentSession::closed);
                return agent.sessions.isEmpty() && agent.lingerUntil - now <= 0;
            });
            agents.values().forEach(agent -> connected.add(agent.ref));
            if (agents.isEmpty()) {
                companies.remove(companyId, agents);
            }
        }
        send(new PresenceReport(instance, companyId, connected, Instant.now(), ttlSeconds)).subscribe().with(ok -> {
        }, failure -> LOG.debugf("Presence report of %s not sent, restated at the next beat: %s", companyId, failure));
    }

    private io.smallrye.mutiny.Uni<Void> send(PresenceReport report) {
        return out.sendMessage(Message.of(report).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(report.companyId()).build()));
    }
}
