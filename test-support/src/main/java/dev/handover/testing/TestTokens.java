package dev.handover.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Signs RS256 JWTs with the test key pair ({@code handover-test/jwt-private.pem}; the services' {@code %test}
 * profile trusts {@code handover-test/jwt-public.pem}), carrying the claims of DESIGN.md.
 */
public final class TestTokens {

    public static final String ISSUER = "https://handover.dev";
    private static final PrivateKey KEY = load("/handover-test/jwt-private.pem");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TestTokens() {
    }

    /** A valid token for an agent of {@code companyId}, good for an hour. */
    public static String agent(String agentId, String companyId) {
        return sign(agentId, companyId, "Agent " + agentId, agentId + "@example.com", List.of("agent"),
                Duration.ofHours(1), KEY);
    }

    /** A valid token for an admin (also an agent) of {@code companyId}. */
    public static String admin(String agentId, String companyId) {
        return sign(agentId, companyId, "Admin " + agentId, agentId + "@example.com", List.of("agent", "admin"),
                Duration.ofHours(1), KEY);
    }

    /** A token that expired a minute ago. */
    public static String expired(String agentId, String companyId) {
        return sign(agentId, companyId, "Agent " + agentId, agentId + "@example.com", List.of("agent"),
                Duration.ofMinutes(-1), KEY);
    }

    /** A well-formed token signed with a key nobody trusts. */
    public static String forged(String agentId, String companyId) {
        try {
            var generator = java.security.KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return sign(agentId, companyId, "Agent " + agentId, agentId + "@example.com", List.of("agent"),
                    Duration.ofHours(1), generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token with every claim chosen by the caller; {@code companyId} may be {@code null} to leave it out. */
    public static String sign(String subject, String companyId, String name, String email, List<String> groups,
            Duration validFor, PrivateKey key) {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":" + quote(ISSUER) + ",\"sub\":" + quote(subject) + ",\"upn\":" + quote(email)
                + ",\"name\":" + quote(name) + ",\"email\":" + quote(email)
                + (companyId == null ? "" : ",\"company_id\":" + quote(companyId))
                + ",\"groups\":[" + groups.stream().map(TestTokens::quote).collect(Collectors.joining(",")) + "]"
                + ",\"iat\":" + (now - 5) + ",\"exp\":" + (now + validFor.toSeconds())
                + ",\"jti\":" + quote(UUID.randomUUID().toString()) + "}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + B64.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static PrivateKey key() {
        return KEY;
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static PrivateKey load(String resource) {
        try (InputStream in = TestTokens.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing");
            }
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII)
                    .replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
