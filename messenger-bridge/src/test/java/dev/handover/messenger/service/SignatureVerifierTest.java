package dev.handover.messenger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class SignatureVerifierTest {

    private final SignatureVerifier verifier = new SignatureVerifier("app-secret");

    @Test
    void theSignatureOfTheRawBytesIsAcceptedAndAnyOtherRefused() {
        // Facebook signs the escaped-unicode JSON; re-serialising it would yield different bytes
        byte[] raw = "{\"text\":\"\\u00e4\\u00f6\\u00e5\"}".getBytes(StandardCharsets.US_ASCII);
        byte[] decoded = "{\"text\":\"äöå\"}".getBytes(StandardCharsets.UTF_8);
        String header = verifier.header(raw);
        assertTrue(header.matches("sha256=[0-9a-f]{64}"), header);
        assertTrue(verifier.valid(header, raw));
        assertTrue(verifier.valid(header.toUpperCase().replace("SHA256=", "sha256="), raw), "hex in any case");
        assertFalse(verifier.valid(header, decoded));
        assertFalse(verifier.valid(null, raw));
        assertFalse(verifier.valid("sha1=" + header.substring(7), raw));
        assertFalse(verifier.valid("sha256=zz", raw));
        assertFalse(verifier.valid(new SignatureVerifier("other-secret").header(raw), raw));
    }

    @Test
    void knownVector() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style test vector
        assertEquals("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                new SignatureVerifier("key").header("The quick brown fox jumps over the lazy dog"
                        .getBytes(StandardCharsets.US_ASCII)));
    }
}
