package dev.handover.customer.rest;

import jakarta.enterprise.context.RequestScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import dev.handover.customer.service.AgentDirectory;
import dev.handover.customer.service.ApiException;
import dev.handover.customer.service.Caller;

/** The {@link Caller} of the current request, from its verified JWT. */
@RequestScoped
public class CurrentCaller {

    private final JsonWebToken jwt;
    private final AgentDirectory agents;
    private Caller caller;

    public CurrentCaller(JsonWebToken jwt, AgentDirectory agents) {
        this.jwt = jwt;
        this.agents = agents;
    }

    public Caller get() {
        if (caller == null) {
            caller = verified();
            agents.seen(caller);
        }
        return caller;
    }

    private Caller verified() {
        String companyId = jwt.getClaim("company_id");
        if (companyId == null || companyId.isBlank() || jwt.getSubject() == null) {
            throw new ApiException(403, "Token has no company_id or subject");
        }
        String name = jwt.getClaim("name");
        String email = jwt.getClaim("email");
        return new Caller(jwt.getSubject(), name != null ? name : jwt.getSubject(),
                email != null ? email : jwt.getSubject(), companyId, jwt.getGroups().contains("admin"));
    }
}
