package dev.handover.events;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The agents of one company connected to one gateway instance, on any protocol (topic
 * {@link Topics#STAFF_PRESENCE}, keyed by company). An instance restates it whenever it changes and at every
 * beat; a report not restated within {@code ttlSeconds} counts as the instance gone (a crash says nothing).
 *
 * @param agents everyone with a connection here (or whose last one closed moments ago); empty when none
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record PresenceReport(String instanceId, String companyId, List<AgentRef> agents, Instant at, long ttlSeconds) {

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<PresenceReport> {
        public Deserializer() {
            super(PresenceReport.class);
        }
    }
}
