package dev.handover.messenger.service;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.graph.GraphClient;
import dev.handover.messenger.graph.GraphResult;
import dev.handover.messenger.repository.PageRepository;
import dev.handover.messenger.repository.PageRepository.ConnectedPage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.Startup;

/**
 * Which company may act as which page, and with what token. A page is connected only after its access token
 * proved, with the Graph API, that it belongs to that page; a page connected to one company is refused to every
 * other. Look-ups are cached briefly, so a rotated token reaches every replica without a restart.
 */
@ApplicationScoped
@Startup
public class PageAccess {

    private static final Logger LOG = Logger.getLogger(PageAccess.class);

    /** The page and its usable token. */
    public record Access(String pageId, String companyId, String token) {
    }

    /** What connecting a page came to: the page's name from Facebook, or why it was refused. */
    public record Connection(int status, String pageName, String error) {
        static Connection refused(int status, String error) {
            return new Connection(status, null, error);
        }
    }

    private record Cached(Access access, long at) {
    }

    private final GraphClient graph;
    private final PageRepository pages;
    private final TokenCipher cipher;
    private final BridgeConfig config;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    /** Pages whose token Facebook refused (code 190) since it was last connected here: they need a new one. */
    private final Set<String> rejectedTokens = ConcurrentHashMap.newKeySet();

    public PageAccess(GraphClient graph, PageRepository pages, TokenCipher cipher, BridgeConfig config, Clock clock,
            MeterRegistry metrics) {
        this.metrics = metrics;
        this.graph = graph;
        this.pages = pages;
        this.cipher = cipher;
        this.config = config;
        this.clock = clock;
        metrics.gaugeCollectionSize("handover.pages.token.rejected", Tags.empty(), rejectedTokens);
    }

    /** The connected page, or {@code null}; an entry is reread after {@code messenger.page-cache-ttl}. */
    public Access find(String pageId) {
        long now = System.nanoTime();
        Cached cached = cache.get(pageId);
        if (cached != null && now - cached.at() < config.pageCacheTtl().toNanos()) {
            return cached.access();
        }
        ConnectedPage page = pages.find(pageId);
        Access access = null;
        if (page != null) {
            String token = cipher.open(pageId, page.sealedToken());
            if (token == null) {
                LOG.errorf("The token of page %s does not open with messenger.token-key: reconnect the page", pageId);
            } else {
                access = new Access(pageId, page.companyId(), token);
            }
        }
        cache.put(pageId, new Cached(access, now));
        return access;
    }

    /** Proves control of the page with {@code token}, then connects it to {@code companyId} (or rotates its token). */
    public Connection connect(String companyId, String pageId, String token) {
        GraphResult me;
        try {
            me = graph.page(token);
        } catch (IOException e) {
            LOG.warnf("Graph API unreachable while checking a token of page %s: %s", pageId, e.toString());
            return Connection.refused(503, "Facebook could not be reached to check the token; try again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Connection.refused(503, "Interrupted while checking the token");
        }
        if (!me.ok()) {
            if (me.httpStatus() >= 500) {
                return Connection.refused(503, "Facebook could not check the token; try again");
            }
            return Connection.refused(422, "The page access token is not valid: " + me.error());
        }
        if (!pageId.equals(me.body().path("id").asText(null))) {
            return Connection.refused(422, "The page access token does not belong to page " + pageId);
        }
        String name = me.body().path("name").asText(pageId);
        if (!pages.connect(pageId, companyId, name, cipher.seal(pageId, token), clock.instant())) {
            return Connection.refused(409, "Page is connected to another company");
        }
        cache.remove(pageId);
        rejectedTokens.remove(pageId);
        LOG.infof("Page %s connected to company %s", pageId, companyId);
        return new Connection(200, name, null);
    }

    /**
     * Facebook refused the page's token (code 190: expired, revoked, password changed): the page needs a new
     * one. Counted ({@code handover_page_token_rejected_total} per page, {@code handover_pages_token_rejected} pages
     * until they are connected again) and logged; agents see the failed sends' reason.
     */
    public void tokenRejected(String pageId) {
        metrics.counter("handover.page.token.rejected", "page_id", pageId).increment();
        rejectedTokens.add(pageId);
        LOG.errorf("Facebook rejected the access token of page %s (code 190): an admin must reconnect it with a new "
                + "token (PUT /api/admin/pages/%s/token)", pageId, pageId);
    }

    public boolean disconnect(String companyId, String pageId) {
        boolean done = pages.disconnect(pageId, companyId);
        cache.remove(pageId);
        if (done) {
            rejectedTokens.remove(pageId);
        }
        return done;
    }
}
