package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.graph.GraphClient;
import dev.handover.messenger.graph.GraphResult;
import dev.handover.messenger.repository.ProfileRepository;
import dev.handover.messenger.repository.ProfileRepository.Profile;

/**
 * Customers' first and last names, asked of the Graph API once per customer and kept (in memory and in
 * MongoDB, so replicas and restarts share them). A failed lookup is not repeated for a while, and never
 * stops a message: it flows without names.
 */
@ApplicationScoped
public class ProfileService {

    private static final Logger LOG = Logger.getLogger(ProfileService.class);
    private static final Profile UNKNOWN = new Profile(null, null, null);

    private final GraphClient graph;
    private final PageAccess pages;
    private final ProfileRepository profiles;
    private final BridgeConfig config;
    private final Clock clock;
    private final Map<String, Profile> cache = new ConcurrentHashMap<>();

    public ProfileService(GraphClient graph, PageAccess pages, ProfileRepository profiles, BridgeConfig config,
            Clock clock) {
        this.graph = graph;
        this.pages = pages;
        this.profiles = profiles;
        this.config = config;
        this.clock = clock;
    }

    public Profile names(String pageId, String customerId) {
        String key = pageId + ":" + customerId;
        Profile known = cache.get(key);
        if (known == null) {
            known = profiles.find(key);
        }
        Instant now = clock.instant();
        if (known != null && (known.failedAt() == null
                || known.failedAt().plus(config.graph().profileRetryAfter()).isAfter(now))) {
            cache.put(key, known);
            return known.failedAt() == null ? known : UNKNOWN;
        }
        Profile fetched = fetch(pageId, customerId, now);
        profiles.save(key, fetched);
        cache.put(key, fetched);
        return fetched.failedAt() == null ? fetched : UNKNOWN;
    }

    private Profile fetch(String pageId, String customerId, Instant now) {
        PageAccess.Access page = pages.find(pageId);
        if (page == null) {
            LOG.warnf("Page %s is not connected: customer %s stays nameless", pageId, customerId);
            return new Profile(null, null, now);
        }
        String token = page.token();
        try {
            GraphResult result = graph.profile(customerId, token);
            if (result.ok()) {
                return new Profile(result.body().path("first_name").asText(null),
                        result.body().path("last_name").asText(null), null);
            }
            LOG.warnf("Profile of %s not available: (#%s) %s fbtrace_id=%s", customerId, result.errorCode(),
                    result.error(), result.fbtraceId());
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Profile of %s not available: %s", customerId, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Profile(null, null, now);
    }
}
