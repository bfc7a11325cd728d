package dev.handover.customer.model;

/** A file in a message, as Facebook described it. */
public class MessageAttachment {

    public String type;
    public String url;

    public MessageAttachment() {
    }

    public MessageAttachment(String type, String url) {
        this.type = type;
        this.url = url;
    }
}
