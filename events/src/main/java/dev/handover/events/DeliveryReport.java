package dev.handover.events;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What became of an {@link OutboundMessage} (topic {@link Topics#MESSENGER_DELIVERY}).
 *
 * @param facebookMessageId Facebook's {@code message_id} when sent
 * @param errorCode Graph API error code when failed ({@code null} for refusals made before calling Facebook)
 * @param retryable whether sending again later could succeed
 * @param attempts how many calls to the Graph API were made
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeliveryReport(
        String messageId,
        String pageId,
        String customerId,
        DeliveryStatus status,
        String facebookMessageId,
        Integer errorCode,
        Integer errorSubcode,
        String error,
        boolean retryable,
        int attempts,
        Instant at) {

    /** Reads this record from Kafka. */
    public static final class Deserializer extends JsonDeserializer<DeliveryReport> {
        public Deserializer() {
            super(DeliveryReport.class);
        }
    }
}
