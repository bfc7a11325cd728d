package dev.handover.gateway.service;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jose4j.jwt.consumer.InvalidJwtException;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;

/**
 * Checks an agent's token the way the HTTP upgrade does (issuer, signature, expiry, audience, a company), for
 * the tokens that arrive inside a connection: Socket.IO's CONNECT and {@code staff:auth}, and the fresh token a
 * console sends before its current one expires. Renewal keeps the session only for the same agent of the same
 * company.
 */
@ApplicationScoped
public class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    private final JWTParser parser;

    public TokenVerifier(JWTParser parser) {
        this.parser = parser;
    }

    /**
     * A verified token, or why it was refused ({@code code} in Socket.IO's terms, {@code error} for people). A token
     * that is good but names no company is refused with its {@code jwt} set: the agent is told why after connecting.
     */
    public record Verified(JsonWebToken jwt, String code, String error) {

        public boolean ok() {
            return error == null;
        }
    }

    public Verified verify(String token) {
        if (token == null || token.isBlank()) {
            return new Verified(null, "INVALID_TOKEN", "Missing token");
        }
        try {
            JsonWebToken jwt = parser.parse(token);
            String company = jwt.getClaim("company_id");
            if (company == null || company.isBlank()) {
                return new Verified(jwt, "INVALID_TOKEN", "Token has no company_id");
            }
            return new Verified(jwt, null, null);
        } catch (ParseException e) {
            boolean expired = false;
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof InvalidJwtException invalid && invalid.hasExpired()) {
                    expired = true;
                }
            }
            LOG.debugf("Refused a token: %s", e.getMessage());
            return expired ? new Verified(null, "TOKEN_EXPIRED", "Token expired")
                    : new Verified(null, "INVALID_TOKEN", "Invalid token");
        }
    }

    /**
     * Puts a fresh token on an open session: verified, and of the same agent and company, or refused with the
     * reason (the session keeps its current token then).
     */
    public Verified renew(AgentSession session, String token) {
        return renew(session, verify(token));
    }

    /** As {@link #renew(AgentSession, String)}, with a token verified already. */
    public Verified renew(AgentSession session, Verified verified) {
        if (!verified.ok()) {
            return verified;
        }
        if (!sameAgent(session, verified.jwt())) {
            return new Verified(null, "FORBIDDEN", "The new token belongs to another agent");
        }
        session.renew(verified.jwt().getRawToken(), expiry(verified.jwt()));
        return verified;
    }

    /** Whether {@code jwt} is of the session's agent in the session's company. */
    public static boolean sameAgent(AgentSession session, JsonWebToken jwt) {
        return session.agentId().equals(jwt.getSubject()) && session.companyId().equals(jwt.getClaim("company_id"));
    }

    /** When the token stops being good; {@code null} for a token without {@code exp}. */
    public static Instant expiry(JsonWebToken jwt) {
        return jwt.getExpirationTime() > 0 ? Instant.ofEpochSecond(jwt.getExpirationTime()) : null;
    }
}
