package dev.handover.gateway.rest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.gateway.config.GatewayConfig;

/**
 * What the console's sign-in page offers, before anyone is signed in: the company's OpenID Connect provider
 * (issuer, client id, scope; the browser runs the authorization code flow with PKCE itself), and on the local
 * stack its demo users. Nothing here is secret: a public client has no secret, and demo users exist only where
 * {@code gateway.console.demo-users} names a file.
 */
@jakarta.ws.rs.Path("/api/console/sign-in")
@PermitAll
public class ConsoleSignInResource {

    private static final Logger LOG = Logger.getLogger(ConsoleSignInResource.class);

    private final GatewayConfig.Console config;
    private final ObjectMapper json;

    public ConsoleSignInResource(GatewayConfig config, ObjectMapper json) {
        this.config = config.console();
        this.json = json;
    }

    @GET
    public Map<String, Object> options() {
        Map<String, Object> options = new LinkedHashMap<>();
        if (config.oidcIssuer().isPresent() && config.oidcClientId().isPresent()) {
            Map<String, Object> oidc = new LinkedHashMap<>();
            oidc.put("issuer", config.oidcIssuer().get());
            oidc.put("client_id", config.oidcClientId().get());
            oidc.put("scope", config.oidcScope());
            oidc.put("resource", config.oidcResource().orElse(null));
            options.put("oidc", oidc);
        } else {
            options.put("oidc", null);
        }
        options.put("demo_users", config.demoUsers().<Object>map(this::demoUsers).orElse(List.of()));
        return options;
    }

    private JsonNode demoUsers(Path file) {
        try {
            return json.readTree(Files.readString(file));
        } catch (IOException e) {
            LOG.warnf("Demo users not readable from %s: %s", file, e.getMessage());
            return json.createArrayNode();
        }
    }
}
