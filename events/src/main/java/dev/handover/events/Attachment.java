package dev.handover.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * What a message carried besides text: Facebook's attachment {@code type} (image, video, audio, file, location,
 * sticker, fallback, share, template) with its URL, title and, for a location, its coordinates.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Attachment(String type, String url, String title, Double latitude, Double longitude) {

    public Attachment(String type, String url) {
        this(type, url, null, null, null);
    }
}
