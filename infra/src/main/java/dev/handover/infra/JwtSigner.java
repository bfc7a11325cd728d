package dev.handover.infra;

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
 * Signs RS256 JWTs with the claims the services expect ({@code sub}, {@code name}, {@code email},
 * {@code company_id}, {@code groups}): for the local stack's tokens, tests and load commands. JDK only.
 */
public final class JwtSigner {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private JwtSigner() {
    }

    /** Claims of a token; {@code companyId} {@code null} leaves the claim out. */
    public record Claims(String issuer, String subject, String companyId, String name, String email, List<String> groups) {
    }

    public static String sign(Claims claims, Duration validFor, PrivateKey key) {
        long now = Instant.now().getEpochSecond();
        String payload = "{\"iss\":" + quote(claims.issuer()) + ",\"sub\":" + quote(claims.subject())
                + ",\"upn\":" + quote(claims.email()) + ",\"name\":" + quote(claims.name())
                + ",\"email\":" + quote(claims.email())
                + (claims.companyId() == null ? "" : ",\"company_id\":" + quote(claims.companyId()))
                + ",\"groups\":[" + claims.groups().stream().map(JwtSigner::quote).collect(Collectors.joining(",")) + "]"
                + ",\"iat\":" + (now - 5) + ",\"exp\":" + (now + validFor.toSeconds())
                + ",\"jti\":" + quote(UUID.randomUUID().toString()) + "}";
        return signPayload(payload, key);
    }

    /** Signs a claims object given as JSON (RS256). */
    public static String signPayload(String payload, PrivateKey key) {
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
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

    /** Reads a PKCS#8 PEM private key ({@code -----BEGIN PRIVATE KEY-----}). */
    public static PrivateKey privateKey(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA private key in PKCS#8 PEM", e);
        }
    }

    private static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
