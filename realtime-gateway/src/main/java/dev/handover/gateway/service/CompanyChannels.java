package dev.handover.gateway.service;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import dev.handover.gateway.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The agents of each company and the company's recent broadcasts. A broadcast reaches every session of its
 * company and nobody else; a session that joins with the last {@code seq} it saw first receives what it
 * missed, in order and without duplicates, or learns that this is too old to replay. What is kept is bounded per
 * company and in total, and a company nobody here follows is forgotten after {@code gateway.idle-channel-ttl}.
 */
@ApplicationScoped
public class CompanyChannels {

    /** The outcome of joining: whether the missed events could be replayed. */
    public enum Join { LIVE, REPLAYED, RESYNC_REQUIRED }

    private final Map<String, Channel> channels = new ConcurrentHashMap<>();
    private final AtomicLong kept = new AtomicLong();
    private final int replayEvents;
    private final long replayEventsTotal;
    private final int replayEventsMin;
    private final long idleNanos;

    public CompanyChannels(GatewayConfig config, MeterRegistry metrics) {
        this.replayEvents = config.replayEvents();
        this.replayEventsTotal = config.replayEventsTotal();
        this.replayEventsMin = Math.min(config.replayEventsMin(), config.replayEvents());
        this.idleNanos = config.idleChannelTtl().toNanos();
        metrics.gaugeMapSize("handover.gateway.channels", List.of(), channels);
        metrics.gauge("handover.gateway.replay.events", kept);
    }

    /**
     * Delivers broadcasts in order, each to its company's sessions (a repeated event id, from outbox retries, is
     * dropped), with one task per event loop for all of them:
     * the caller does work in proportion to the events and loops, the loops write their own sessions' frames in
     * parallel, and a session gets its frames in order. {@code written} runs once every loop has written them.
     */
    public void publish(List<Broadcast> broadcasts, Runnable written) {
        Map<Executor, List<Runnable>> byLoop = new HashMap<>();
        for (Broadcast broadcast : broadcasts) {
            while (!channel(broadcast.companyId()).publish(broadcast.event(), byLoop)) {
                // the channel was released in between: the next one takes the event
            }
        }
        if (byLoop.isEmpty()) {
            written.run();
            return;
        }
        AtomicInteger loops = new AtomicInteger(byLoop.size());
        byLoop.forEach((loop, writes) -> loop.execute(() -> {
            try {
                writes.forEach(Runnable::run);
            } finally {
                if (loops.decrementAndGet() == 0) {
                    written.run();
                }
            }
        }));
    }

    /** One broadcast for one company. */
    public record Broadcast(String companyId, EventRenderer.Rendered event) {
    }

    /**
     * Adds the session to its company. With {@code lastSeq}, the events after it are sent first, atomically
     * with joining, so that nothing arrives in between or twice.
     */
    public Join join(AgentSession session, Long lastSeq) {
        while (true) {
            Join outcome = channel(session.companyId()).join(session, lastSeq);
            if (outcome != null) {
                return outcome;
            }
        }
    }

    /** Forgets companies without sessions here and without events for {@code gateway.idle-channel-ttl}. */
    public void releaseIdle() {
        long now = System.nanoTime();
        channels.forEach((companyId, channel) -> {
            if (channel.release(now - idleNanos)) {
                channels.remove(companyId, channel);
            }
        });
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

    /** One company's sessions and recent broadcasts; once released it refuses everything (callers take a new one). */
    private final class Channel {
        private final int capacity;
        private final ArrayDeque<EventRenderer.Rendered> recent = new ArrayDeque<>();
        private final Set<String> recentIds = new HashSet<>();
        private final Set<AgentSession> sessions = ConcurrentHashMap.newKeySet();
        private long firstSeq = -1;
        private long evictedUpTo = -1;
        private long lastActive = System.nanoTime();
        private boolean released;

        Channel(int capacity) {
            this.capacity = capacity;
        }

        /** Releases the channel if it has no session and was idle since {@code idleSince}; true if it did. */
        synchronized boolean release(long idleSince) {
            if (released || sessions.isEmpty() && lastActive - idleSince < 0) {
                released = true;
                kept.addAndGet(-recent.size());
                recent.clear();
                recentIds.clear();
                return true;
            }
            return false;
        }

        /** False if the channel was released (nothing done); writes for sessions with an event loop go to {@code byLoop}. */
        synchronized boolean publish(EventRenderer.Rendered event, Map<Executor, List<Runnable>> byLoop) {
            if (released) {
                return false;
            }
            lastActive = System.nanoTime();
            if (event.eventId() != null && !recentIds.add(event.eventId())) {
                return true;
            }
            if (firstSeq < 0) {
                firstSeq = event.seq();
            }
            recent.addLast(event);
            kept.incrementAndGet();
            while (recent.size() > capacity || recent.size() > replayEventsMin && kept.get() > replayEventsTotal) {
                EventRenderer.Rendered evicted = recent.removeFirst();
                kept.decrementAndGet();
                recentIds.remove(evicted.eventId());
                evictedUpTo = evicted.seq();
            }
            for (AgentSession session : sessions) {
                if (event.seq() > session.after()) {
                    Executor loop = session.loop();
                    if (loop == null) {
                        deliver(event, session);
                    } else {
                        byLoop.computeIfAbsent(loop, l -> new ArrayList<>()).add(() -> deliver(event, session));
                    }
                }
            }
            return true;
        }

        private static void deliver(EventRenderer.Rendered event, AgentSession session) {
            String frame = event.frameFor(session);
            if (frame != null) {
                session.send(frame);
            }
        }

        /** {@code null} if the channel was released (nothing done). */
        synchronized Join join(AgentSession session, Long lastSeq) {
            if (released) {
                return null;
            }
            lastActive = System.nanoTime();
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
                        String frame = event.frameFor(session);
                        if (frame != null && event.seq() > lastSeq) {
                            session.replay(frame);
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

        synchronized void leave(AgentSession session) {
            sessions.remove(session);
            lastActive = System.nanoTime();
        }

        Collection<AgentSession> sessions() {
            return sessions;
        }
    }
}
