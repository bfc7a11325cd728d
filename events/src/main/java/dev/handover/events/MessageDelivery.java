package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Where one of our messages to a customer stands, as a {@code message_status_changed} broadcast carries it.
 *
 * @param status {@code sent}, {@code delivered}, {@code read} or {@code failed}
 * @param error why it failed, with Facebook's code when there is one
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MessageDelivery(String messageId, String status, String error, Integer errorCode) {
}
