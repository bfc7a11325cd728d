package dev.handover.customer.service;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.customer.model.Agent;
import dev.handover.customer.repository.AgentRepository;
import dev.handover.events.AgentRef;

/**
 * The agents of each company: everyone whose token customer-service has accepted (on every path, the
 * consoles' included, and every agent a gateway reports connected), with the name and e-mail it carried. A
 * transfer may only go to one of them.
 */
@ApplicationScoped
public class AgentDirectory {

    private static final Logger LOG = Logger.getLogger(AgentDirectory.class);

    private final AgentRepository agents;
    private final Clock clock;
    /** What this process already wrote, so that a request writes only when an agent is new or renamed. */
    private final Set<String> written = ConcurrentHashMap.newKeySet();

    public AgentDirectory(AgentRepository agents, Clock clock) {
        this.agents = agents;
        this.clock = clock;
    }

    /** Records the caller; never fails the request it comes with (a write that failed is tried again next time). */
    public void seen(Caller caller) {
        String key = String.join("\n", caller.companyId(), caller.agentId(), caller.name(), caller.email());
        if (written.add(key)) {
            try {
                agents.seen(caller.companyId(), caller.agentId(), caller.name(), caller.email(), clock.instant());
            } catch (RuntimeException e) {
                written.remove(key);
                LOG.debugf("Recording agent %s of %s failed: %s", caller.agentId(), caller.companyId(), e.getMessage());
            }
        }
    }

    /** Whether any agent of the company is {@code online} now (not away, not offline). */
    public boolean anyoneOnline(String companyId) {
        return agents.countOnline(companyId) > 0;
    }

    public Optional<AgentRef> find(String companyId, String agentId) {
        return agents.findByIdOptional(Agent.key(companyId, agentId))
                .map(a -> new AgentRef(a.agentId, a.agentName, a.agentEmail));
    }
}
