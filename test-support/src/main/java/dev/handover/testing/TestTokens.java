package dev.handover.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.handover.infra.JwtSigner;

/**
 * Tokens signed with the test key pair ({@code handover-test/jwt-private.pem}; the services' {@code %test}
 * profile trusts {@code handover-test/jwt-public.pem}).
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
            var generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return sign(agentId, companyId, "Agent " + agentId, agentId + "@example.com", List.of("agent"),
                    Duration.ofHours(1), generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The claims of a valid agent token under {@code "alg":"none"}, without a signature. */
    public static String unsigned(String agentId, String companyId) {
        String[] parts = agent(agentId, companyId).split("\\.");
        return B64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1] + ".";
    }

    /** The claims of a valid agent token signed HS256 with the services' public key as the HMAC secret. */
    public static String hmacWithPublicKey(String agentId, String companyId) {
        String[] parts = agent(agentId, companyId).split("\\.");
        String input = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "." + parts[1];
        try (InputStream in = TestTokens.class.getResourceAsStream("/handover-test/jwt-public.pem")) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(in.readAllBytes(), "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A valid agent token that also names its audience ({@code aud}). */
    public static String withAudience(String agentId, String companyId, String audience) {
        String payload = new String(Base64.getUrlDecoder().decode(agent(agentId, companyId).split("\\.")[1]),
                StandardCharsets.UTF_8);
        return JwtSigner.signPayload("{\"aud\":\"" + audience + "\"," + payload.substring(1), KEY);
    }

    /** A token signed with the trusted key but issued by someone else. */
    public static String foreignIssuer(String agentId, String companyId) {
        return JwtSigner.sign(new JwtSigner.Claims("https://attacker.example", agentId, companyId, "Agent " + agentId,
                agentId + "@example.com", List.of("agent", "admin")), Duration.ofHours(1), KEY);
    }

    /** A token with every claim chosen by the caller; {@code companyId} may be {@code null} to leave it out. */
    public static String sign(String subject, String companyId, String name, String email, List<String> groups,
            Duration validFor, PrivateKey key) {
        return JwtSigner.sign(new JwtSigner.Claims(ISSUER, subject, companyId, name, email, groups), validFor, key);
    }

    /** As {@link #sign}, for services told to trust another issuer (an identity provider holding the test key). */
    public static String signAs(String issuer, String subject, String companyId, String name, List<String> groups) {
        return JwtSigner.sign(new JwtSigner.Claims(issuer, subject, companyId, name, subject + "@example.com", groups),
                Duration.ofHours(1), KEY);
    }

    /** The test signing key in PEM, for an identity provider started by a test. */
    public static String privateKeyPem() {
        try (InputStream in = TestTokens.class.getResourceAsStream("/handover-test/jwt-private.pem")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static PrivateKey key() {
        return KEY;
    }

    private static PrivateKey load(String resource) {
        try (InputStream in = TestTokens.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing");
            }
            return JwtSigner.privateKey(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
