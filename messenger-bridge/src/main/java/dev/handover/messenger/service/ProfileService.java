package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.graph.GraphClient;
import dev.handover.messenger.graph.GraphResult;
import dev.handover.messenger.repository.ProfileRepository;
import dev.handover.messenger.repository.ProfileRepository.Profile;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Customers' first and last names, asked of the Graph API once per customer and kept (the most recent in
 * memory, all in MongoDB, so replicas and restarts share them). The names of a batch of webhook events are
 * looked up together: one query for those not in memory, the Graph API asked for the new customers' of each page
 * in one batch call (Facebook's batch request, up to 50 at once; different pages' calls at the same time, at most
 * {@code handover.graph.profile-concurrency}), one write for what it answered. A burst of new customers therefore
 * waits about one profile call, not one per customer, and costs one HTTP exchange, not one per customer. A failed lookup
 * is not repeated for a while, and never stops a message: it flows without names.
 */
@ApplicationScoped
public class ProfileService {

    private static final Logger LOG = Logger.getLogger(ProfileService.class);
    private static final Profile UNKNOWN = new Profile(null, null, null);

    /** A customer whose names an event needs, and the trace of that event's publication. */
    public record Lookup(String pageId, String customerId, Context trace) {
        public String key() {
            return ProfileService.key(pageId, customerId);
        }
    }

    /** How {@link #names} keys a customer's names. */
    public static String key(String pageId, String customerId) {
        return pageId + ":" + customerId;
    }

    private final GraphClient graph;
    private final PageAccess pages;
    private final ProfileRepository profiles;
    private final BridgeConfig config;
    private final Clock clock;
    private final Map<String, Profile> remembered;
    private final ExecutorService lookups;

    public ProfileService(GraphClient graph, PageAccess pages, ProfileRepository profiles, BridgeConfig config,
            Clock clock) {
        this.graph = graph;
        this.pages = pages;
        this.profiles = profiles;
        this.config = config;
        this.clock = clock;
        int capacity = config.graph().profilesRemembered();
        this.remembered = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Profile> eldest) {
                return size() > capacity;
            }
        };
        AtomicInteger threads = new AtomicInteger();
        this.lookups = Executors.newFixedThreadPool(Math.max(1, config.graph().profileConcurrency()), task -> {
            Thread thread = new Thread(task, "profile-lookup-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @PreDestroy
    void stop() {
        lookups.shutdownNow();
    }

    /** The names of each looked-up customer by {@link Lookup#key()}: empty names when the Graph API gave none. */
    public Map<String, Profile> names(List<Lookup> wanted) throws InterruptedException {
        Instant now = clock.instant();
        Map<String, Profile> found = new HashMap<>();
        Map<String, Lookup> missing = new LinkedHashMap<>();
        synchronized (remembered) {
            for (Lookup lookup : wanted) {
                Profile known = remembered.get(lookup.key());
                if (usable(known, now)) {
                    found.put(lookup.key(), known);
                } else {
                    missing.putIfAbsent(lookup.key(), lookup);
                }
            }
        }
        if (!missing.isEmpty()) {
            profiles.findAll(missing.keySet()).forEach((key, stored) -> {
                if (usable(stored, now)) {
                    found.put(key, stored);
                    missing.remove(key);
                }
            });
        }
        Map<String, Profile> fetched = fetchAll(missing.values(), now);
        if (!fetched.isEmpty()) {
            profiles.saveAll(fetched);
        }
        found.putAll(fetched);
        synchronized (remembered) {
            remembered.putAll(found);
        }
        Map<String, Profile> names = new HashMap<>();
        found.forEach((key, profile) -> names.put(key, profile.failedAt() == null ? profile : UNKNOWN));
        return names;
    }

    /** A profile known, or a failure recent enough not to ask again. */
    private boolean usable(Profile known, Instant now) {
        return known != null && (known.failedAt() == null
                || known.failedAt().plus(config.graph().profileRetryAfter()).isAfter(now));
    }

    /**
     * The new customers' profiles: those of one page asked for together (one call of up to
     * {@link GraphClient#BATCH_LIMIT}), the calls of different pages or chunks at the same time.
     */
    private Map<String, Profile> fetchAll(Iterable<Lookup> wanted, Instant now) throws InterruptedException {
        Map<String, List<Lookup>> byPage = new LinkedHashMap<>();
        for (Lookup lookup : wanted) {
            byPage.computeIfAbsent(lookup.pageId(), page -> new ArrayList<>()).add(lookup);
        }
        List<Map.Entry<List<Lookup>, Future<List<Profile>>>> calls = new ArrayList<>();
        for (List<Lookup> ofPage : byPage.values()) {
            for (int from = 0; from < ofPage.size(); from += GraphClient.BATCH_LIMIT) {
                List<Lookup> chunk = ofPage.subList(from, Math.min(ofPage.size(), from + GraphClient.BATCH_LIMIT));
                calls.add(Map.entry(chunk, lookups.submit(() -> {
                    try (Scope ignored = chunk.get(0).trace().makeCurrent()) {
                        return fetch(chunk, now);
                    }
                })));
            }
        }
        Map<String, Profile> fetched = new LinkedHashMap<>();
        for (Map.Entry<List<Lookup>, Future<List<Profile>>> call : calls) {
            List<Lookup> chunk = call.getKey();
            try {
                List<Profile> found = call.getValue().get();
                for (int i = 0; i < chunk.size(); i++) {
                    fetched.put(chunk.get(i).key(), found.get(i));
                }
            } catch (ExecutionException e) {
                LOG.warnf("Profile lookup of %d customers of page %s failed: %s", chunk.size(), chunk.get(0).pageId(),
                        e.getCause().toString());
                chunk.forEach(lookup -> fetched.put(lookup.key(), new Profile(null, null, now)));
            } catch (InterruptedException e) {
                calls.forEach(c -> c.getValue().cancel(true));
                throw e;
            }
        }
        return fetched;
    }

    /** The profiles of customers of one page, in their order: one call for one customer, a batch for more. */
    private List<Profile> fetch(List<Lookup> chunk, Instant now) {
        String pageId = chunk.get(0).pageId();
        PageAccess.Access page = pages.find(pageId);
        if (page == null) {
            LOG.warnf("Page %s is not connected: %d customers stay nameless", pageId, chunk.size());
            return Collections.nCopies(chunk.size(), new Profile(null, null, now));
        }
        List<String> psids = chunk.stream().map(Lookup::customerId).toList();
        try {
            List<GraphResult> results = psids.size() == 1 ? List.of(graph.profile(psids.get(0), page.token()))
                    : graph.profiles(psids, page.token());
            List<Profile> profiles = new ArrayList<>(psids.size());
            Map<String, List<String>> failed = new LinkedHashMap<>();
            for (int i = 0; i < psids.size(); i++) {
                GraphResult result = results.get(i);
                if (result.ok()) {
                    profiles.add(new Profile(result.body().path("first_name").asText(null),
                            result.body().path("last_name").asText(null), null));
                } else {
                    profiles.add(new Profile(null, null, now));
                    failed.computeIfAbsent("(#" + result.errorCode() + ") " + result.error() + " fbtrace_id="
                            + result.fbtraceId(), error -> new ArrayList<>()).add(psids.get(i));
                }
            }
            // one line per error, not per customer: a whole batch failing is one line
            failed.forEach((error, customers) -> LOG.warnf("Profiles of %d customers of page %s not available: %s %s",
                    customers.size(), pageId, error, customers));
            return profiles;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Profiles of %d customers of page %s not available: %s", psids.size(), pageId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Collections.nCopies(psids.size(), new Profile(null, null, now));
    }
}
