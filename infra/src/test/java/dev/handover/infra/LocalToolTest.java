package dev.handover.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalToolTest {

    @TempDir
    Path dir;

    @Test
    void keysAreMadeOnceAndTokensVerifyWithThePublicKey() throws Exception {
        LocalTool.keys(dir);
        String first = Files.readString(dir.resolve("private.pem"));
        LocalTool.keys(dir);
        assertEquals(first, Files.readString(dir.resolve("private.pem")), "an existing key is kept");

        String token = LocalTool.token(dir, Map.of("agent", "alice", "company", "demo", "role", "admin"));
        String[] parts = token.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertTrue(payload.contains("\"sub\":\"alice\""), payload);
        assertTrue(payload.contains("\"company_id\":\"demo\""), payload);
        assertTrue(payload.contains("\"groups\":[\"agent\",\"admin\"]"), payload);
        assertTrue(payload.contains("\"iss\":\"https://handover.dev\""), payload);

        String pem = Files.readString(dir.resolve("public.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        var key = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(key);
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(Base64.getUrlDecoder().decode(parts[2])));
    }
}
