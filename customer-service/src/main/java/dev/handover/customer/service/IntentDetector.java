package dev.handover.customer.service;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.events.InboundEvent;

/**
 * Tells from a customer's message whether they ask for a human or to go back to the bot: a configured
 * postback or quick-reply payload, or a configured phrase (per language) as whole words in any case.
 */
@ApplicationScoped
public class IntentDetector {

    /** What a message asks for. */
    public enum Intent { HUMAN, BOT, NONE }

    private final Set<String> humanPayloads;
    private final Set<String> botPayloads;
    private final List<Pattern> humanPhrases;
    private final List<Pattern> botPhrases;

    public IntentDetector(CustomerServiceConfig config) {
        this.humanPayloads = Set.copyOf(config.detection().humanPayloads());
        this.botPayloads = Set.copyOf(config.detection().botPayloads());
        this.humanPhrases = patterns(config.detection().humanKeywords());
        this.botPhrases = patterns(config.detection().botKeywords());
    }

    public Intent of(InboundEvent event) {
        String payload = event.quickReplyPayload() != null ? event.quickReplyPayload() : event.postbackPayload();
        if (payload != null) {
            if (humanPayloads.contains(payload)) {
                return Intent.HUMAN;
            }
            if (botPayloads.contains(payload)) {
                return Intent.BOT;
            }
        }
        String text = event.text() != null ? event.text() : event.postbackTitle();
        if (text == null) {
            return Intent.NONE;
        }
        if (matches(botPhrases, text)) {
            return Intent.BOT;
        }
        return matches(humanPhrases, text) ? Intent.HUMAN : Intent.NONE;
    }

    private static boolean matches(List<Pattern> patterns, String text) {
        return patterns.stream().anyMatch(p -> p.matcher(text).find());
    }

    private static List<Pattern> patterns(Map<String, List<String>> phrasesByLanguage) {
        return phrasesByLanguage.values().stream().flatMap(List::stream).map(String::trim)
                .filter(phrase -> !phrase.isEmpty())
                .map(phrase -> Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(phrase) + "(?![\\p{L}\\p{N}])",
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE))
                .collect(Collectors.toList());
    }
}
