package dev.handover.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * An agent started or stopped typing to a customer (topic {@link Topics#STAFF_TYPING}, keyed by company):
 * every gateway relays it to the company's other staff, wherever they are connected.
 *
 * @param sessionId the typing agent's session, which is not told about its own typing
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StaffTyping(String companyId, String customerId, String agentId, String agentName, String sessionId,
        boolean typing, Instant at) {

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<StaffTyping> {
        public Deserializer() {
            super(StaffTyping.class);
        }
    }
}
