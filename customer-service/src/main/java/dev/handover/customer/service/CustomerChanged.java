package dev.handover.customer.service;

/** Fired after a customer's change is stored, so that its outbox is delivered at once. */
public record CustomerChanged(String customerKey) {
}
