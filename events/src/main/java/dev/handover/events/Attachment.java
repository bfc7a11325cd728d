package dev.handover.events;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** A file a customer sent: Facebook's attachment {@code type} (image, audio, video, file, ...) and its URL. */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Attachment(String type, String url) {
}
