package dev.handover.customer.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.service.IntentDetector.Intent;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;

class IntentDetectorTest {

    private final IntentDetector detector = new IntentDetector(new CustomerServiceConfig() {
        @Override
        public Detection detection() {
            return new Detection() {
                public Map<String, List<String>> humanKeywords() {
                    return Map.of("en", List.of("human", "real person"), "fr", List.of("conseiller"));
                }

                public List<String> humanPayloads() {
                    return List.of("HUMAN_AGENT");
                }

                public Map<String, List<String>> botKeywords() {
                    return Map.of("en", List.of("back to bot"));
                }

                public List<String> botPayloads() {
                    return List.of("BACK_TO_BOT");
                }
            };
        }

        @Override
        public Outbox outbox() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }

        @Override
        public Customers customers() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }

        @Override
        public Lifecycle lifecycle() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }

        @Override
        public Webhooks webhooks() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }

        @Override
        public Metrics metrics() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }

        @Override
        public Sends sends() {
            throw new UnsupportedOperationException("IntentDetector reads detection() only");
        }
    });

    @Test
    void phrasesMatchAsWholeWordsInAnyCase() {
        assertEquals(Intent.HUMAN, detector.of(text("I need a HUMAN!")));
        assertEquals(Intent.NONE, detector.of(text("a real   person")), "phrases keep their spacing");
        assertEquals(Intent.HUMAN, detector.of(text("Je veux un Conseiller.")));
        assertEquals(Intent.NONE, detector.of(text("humanity is great")));
        assertEquals(Intent.NONE, detector.of(text("hello")));
        assertEquals(Intent.BOT, detector.of(text("ok, back to bot please, no human")));
    }

    @Test
    void payloadsWinOverText() {
        assertEquals(Intent.HUMAN, detector.of(postback("Menu", "HUMAN_AGENT")));
        assertEquals(Intent.BOT, detector.of(postback("a human", "BACK_TO_BOT")));
        assertEquals(Intent.HUMAN, detector.of(postback("Talk to a human", "MENU")));
        assertEquals(Intent.NONE, detector.of(postback(null, "MENU")));
    }

    private static InboundEvent text(String text) {
        return new InboundEvent("m", InboundKind.MESSAGE, "p", "c", null, "m", text, null, null, null, null, null,
                null, null, null, null, null);
    }

    private static InboundEvent postback(String title, String payload) {
        return new InboundEvent("m", InboundKind.POSTBACK, "p", "c", null, "m", null, null, null, title, payload, null,
                null, null, null, null, null);
    }
}
