package dev.handover.messenger.sandbox;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;


/**
 * What the sandbox's customers are called, what the sandbox Graph API was asked (sends and thread control, in
 * order), which pages have a bot, and who owns each of their conversations (the bot until it passes control).
 */
@ApplicationScoped
public class SandboxStore {

    private static final int KEPT = 10_000;

    /** One call the bridge made to the sandbox Graph API: {@code messages}, {@code take_thread_control} or {@code pass_thread_control}. */
    public record Sent(String call, String pageId, String customerId, String accessToken, JsonNode request, String messageId,
            Instant at) {
    }

    private final Map<String, String[]> names = new ConcurrentHashMap<>();
    private volatile String base;

    public SandboxStore(@ConfigProperty(name = "quarkus.http.port") int port) {
        this.base = "http://127.0.0.1:" + port + "/";
    }

    /**
     * The local port the sandbox was last called on (the configured port until then, which is 0 in tests). The
     * sandbox calls this service back on loopback; a request's Host header never decides where.
     */
    void calledOnPort(int port) {
        base = "http://127.0.0.1:" + port + "/";
    }

    /** This service on loopback. */
    String selfUrl() {
        return base;
    }

    /** Where the sandbox Graph API listens: this service itself. */
    public String graphBaseUrl() {
        return base + "sandbox/graph";
    }

    private final ArrayDeque<Sent> sent = new ArrayDeque<>();
    private final java.util.Set<String> botPages = ConcurrentHashMap.newKeySet();
    /** page:customer -> the app owning the conversation on a page with a bot (absent: the bot). */
    private final Map<String, Long> owners = new ConcurrentHashMap<>();

    /** The page gets a bot app, the primary receiver of its conversations. */
    public void botOn(String pageId) {
        botPages.add(pageId);
    }

    public boolean hasBot(String pageId) {
        return botPages.contains(pageId);
    }

    /** Who owns the conversation: {@code botAppId} until another app takes it or is passed it. */
    public long owner(String pageId, String customerId, long botAppId) {
        return owners.getOrDefault(pageId + ":" + customerId, botAppId);
    }

    /** {@code appId} owns the conversation from now on. */
    public void own(String pageId, String customerId, long appId) {
        owners.put(pageId + ":" + customerId, appId);
    }
    private final Map<String, ArrayDeque<String>> faults = new ConcurrentHashMap<>();

    /** The next {@code times} sends to the customer fail with {@code fault}. */
    public void fault(String pageId, String customerId, String fault, int times) {
        ArrayDeque<String> queue = faults.computeIfAbsent(pageId + ":" + customerId, key -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.addLast(fault);
            }
        }
    }

    /** The fault the next send to the customer meets, if one was asked for. */
    public String nextFault(String pageId, String customerId) {
        ArrayDeque<String> queue = faults.get(pageId + ":" + customerId);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            return queue.pollFirst();
        }
    }

    public void name(String customerId, String firstName, String lastName) {
        if (firstName != null || lastName != null) {
            names.put(customerId, new String[] { firstName, lastName });
        }
    }

    public String[] name(String customerId) {
        return names.get(customerId);
    }

    public synchronized void record(Sent call) {
        sent.addLast(call);
        if (sent.size() > KEPT) {
            sent.removeFirst();
        }
    }

    /** The sends to the customer, oldest first. */
    public synchronized List<Sent> sentTo(String pageId, String customerId) {
        return calls(pageId, customerId).stream().filter(s -> s.call().equals("messages")).toList();
    }

    /** Every Graph API call about the customer's conversation, oldest first. */
    public synchronized List<Sent> calls(String pageId, String customerId) {
        return sent.stream().filter(s -> s.pageId().equals(pageId) && s.customerId().equals(customerId)).toList();
    }
}
