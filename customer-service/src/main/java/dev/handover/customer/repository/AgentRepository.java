package dev.handover.customer.repository;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.customer.model.Agent;
import io.quarkus.mongodb.panache.PanacheMongoRepositoryBase;

/** Companies' agents, by {@code company:agent}. */
@ApplicationScoped
public class AgentRepository implements PanacheMongoRepositoryBase<Agent, String> {
}
