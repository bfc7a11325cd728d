package dev.handover.gateway.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.gateway.config.GatewayConfig;

/**
 * The agents of each company and the company's recent broadcasts. A broadcast reaches every session of its
 * company and nobody else; a session that joins with the last {@code seq} it saw first receives what it
 * missed, in order and without duplicates, or learns that this is too old to replay.
 */
@ApplicationScoped
public class CompanyChannels {

    /** The outcome of joining: whether the missed events could be replayed. */
    public enum Join { LIVE, REPLAYED, RESYNC_REQUIRED }

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final int replayEvents;

    public CompanyChannels(GatewayConfig config) {
        this.replayEvents = config.replayEvents();
    }

    /** Delivers one broadcast of {@code companyId}; a repeated event id (outbox retries) is dropped. */
    public void publish(String companyId, EventRenderer.Rendered event) {
        channel(companyId).publish(event);
    }

    /**
     * Adds the session to its company. With {@code lastSeq}, the events after it are sent first, atomically
     * with joining, so that nothing arrives in between or twice.
     */
    public Join join(AgentSession session, Long lastSeq) {
        return channel(session.companyId()).join(session, lastSeq);
    }

    /** Sends a frame that is not a broadcast (typing) to the company's Socket.IO sessions but session {@code fromId}. */
    public void relay(String companyId, String socketIoFrame, String fromId) {
        Channel channel = channels.get(companyId);
        if (channel != null) {
            for (AgentSession session : channel.sessions()) {
                if (!session.id().equals(fromId) && session.protocol() == AgentSession.Protocol.SOCKET_IO) {
                    session.send(socketIoFrame);
                }
            }
        }
    }

    public void leave(AgentSession session) {
        Channel channel = channels.get(session.companyId());
        if (channel != null) {
            channel.leave(session);
        }
    }

    /** Every open session, for sweeps (expired tokens) and metrics. */
    public List<AgentSession> sessions() {
        List<AgentSession> all = new ArrayList<>();
        channels.values().forEach(c -> all.addAll(c.sessions()));
        return all;
    }

    private Channel channel(String companyId) {
        return channels.computeIfAbsent(companyId, id -> new Channel(replayEvents));
    }

    private static final class Channel {
        private final int capacity;
        private final ArrayDeque<EventRenderer.Rendered> recent = new ArrayDeque<>();
        private final Set<String> recentIds = new HashSet<>();
        private final Set<AgentSession> sessions = ConcurrentHashMap.newKeySet();
        private long firstSeq = -1;
        private long evictedUpTo = -1;

        Channel(int capacity) {
            this.capacity = capacity;
        }

        synchronized void publish(EventRenderer.Rendered event) {
            if (event.eventId() != null && !recentIds.add(event.eventId())) {
                return;
            }
            if (firstSeq < 0) {
                firstSeq = event.seq();
            }
            recent.addLast(event);
            while (recent.size() > capacity) {
                EventRenderer.Rendered evicted = recent.removeFirst();
                recentIds.remove(evicted.eventId());
                evictedUpTo = evicted.seq();
            }
            for (AgentSession session : sessions) {
                if (event.seq() > session.after()) {
                    session.send(event.frameFor(session));
                }
            }
        }

        synchronized Join join(AgentSession session, Long lastSeq) {
            Join outcome = Join.LIVE;
            if (lastSeq != null) {
                session.resumeAfter(lastSeq);
                long newest = recent.isEmpty() ? -1 : recent.peekLast().seq();
                if (newest >= 0 && lastSeq > newest) {
                    // a seq this company never reached (another cluster, a reset topic, a forged value): waiting for
                    // events after it would be silence, so the agent reloads and gets every event from now on
                    session.resumeAfter(newest);
                    outcome = Join.RESYNC_REQUIRED;
                } else if (firstSeq >= 0 && lastSeq >= firstSeq && lastSeq >= evictedUpTo) {
                    // everything after lastSeq is here: this gateway saw lastSeq's time and evicted nothing since
                    for (EventRenderer.Rendered event : recent) {
                        if (event.seq() > lastSeq) {
                            session.send(event.frameFor(session));
                        }
                    }
                    outcome = Join.REPLAYED;
                } else {
                    outcome = Join.RESYNC_REQUIRED;
                }
            }
            sessions.add(session);
            return outcome;
        }

        void leave(AgentSession session) {
            sessions.remove(session);
        }

        Collection<AgentSession> sessions() {
            return sessions;
        }
    }
}
