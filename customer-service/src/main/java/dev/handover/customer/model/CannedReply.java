package dev.handover.customer.model;

/** A reply agents of a company insert with a shortcut (kept in the company's {@link CompanySettings}). */
public class CannedReply {

    public String shortcut;
    public String text;

    public CannedReply() {
    }

    public CannedReply(String shortcut, String text) {
        this.shortcut = shortcut;
        this.text = text;
    }
}
