package dev.handover.customer.model;

import com.fasterxml.jackson.annotation.JsonInclude;

/** What a message carried besides text, as Facebook described it (a location has coordinates, not a URL). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MessageAttachment {

    public String type;
    public String url;
    public String title;
    public Double latitude;
    public Double longitude;

    public MessageAttachment() {
    }

    public MessageAttachment(String type, String url, String title, Double latitude, Double longitude) {
        this.type = type;
        this.url = url;
        this.title = title;
        this.latitude = latitude;
        this.longitude = longitude;
    }
}
