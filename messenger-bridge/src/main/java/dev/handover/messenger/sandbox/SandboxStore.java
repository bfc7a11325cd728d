package dev.handover.messenger.sandbox;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.JsonNode;


/** What the sandbox's customers are called and what the sandbox Graph API was asked to send them. */
@ApplicationScoped
public class SandboxStore {

    private static final int KEPT = 10_000;

    /** One call the bridge made to the sandbox Send API. */
    public record Sent(String pageId, String customerId, String accessToken, JsonNode request, String messageId, Instant at) {
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

    public synchronized List<Sent> sentTo(String pageId, String customerId) {
        return sent.stream().filter(s -> s.pageId().equals(pageId) && s.customerId().equals(customerId)).toList();
    }
}
