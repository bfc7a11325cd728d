package dev.handover.customer.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Values read from the database at most {@code ttl} ago, for what every customer message needs and what rarely
 * changes (a page, a company's settings, its webhooks): a change made through this replica is seen at once (it
 * is {@link #put} or {@link #forget}), one made through another replica within {@code ttl}. Nothing absent is
 * remembered, so a page connected elsewhere is found on its first message.
 */
final class Recent<K, V> {

    private record Entry<V>(V value, Instant at) {
    }

    private final Map<K, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Duration ttl;
    private final Clock clock;

    Recent(Duration ttl, Clock clock) {
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The value read at most {@code ttl} ago, or read now with {@code load} ({@code null}: absent, not kept). */
    V get(K key, Function<K, V> load) {
        Entry<V> known = entries.get(key);
        if (known != null && known.at().plus(ttl).isAfter(clock.instant())) {
            return known.value();
        }
        V value = load.apply(key);
        put(key, value);
        return value;
    }

    void put(K key, V value) {
        if (value == null) {
            entries.remove(key);
        } else {
            entries.put(key, new Entry<>(value, clock.instant()));
        }
    }

    void forget(K key) {
        entries.remove(key);
    }
}
