package dev.handover.gateway.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The reference test handlers run only on a gateway listening on loopback; off, anything goes. */
class TestHandlersGuardTest {

    @Test
    void testHandlersNeedALoopbackAddress() {
        for (String loopback : new String[] { "127.0.0.1", "localhost", "::1" }) {
            assertDoesNotThrow(() -> TestHandlersGuard.requireLoopback(true, loopback), loopback);
        }
        for (String reachable : new String[] { "0.0.0.0", "::", "10.1.2.3", "", "no-such-host.invalid" }) {
            var refused = assertThrows(IllegalStateException.class, () -> TestHandlersGuard.requireLoopback(true, reachable),
                    reachable);
            assertTrue(refused.getMessage().contains("QUARKUS_HTTP_HOST=127.0.0.1"), refused.getMessage());
        }
        assertDoesNotThrow(() -> TestHandlersGuard.requireLoopback(false, "0.0.0.0"));
    }
}
