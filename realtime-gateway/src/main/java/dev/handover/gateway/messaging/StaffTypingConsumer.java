package dev.handover.gateway.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;

import dev.handover.events.StaffTyping;
import dev.handover.gateway.service.StaffConsole;

/** Typing indicators of agents on any gateway instance (its own consumer group), for the staff connected here. */
@ApplicationScoped
public class StaffTypingConsumer {

    private final StaffConsole console;

    public StaffTypingConsumer(StaffConsole console) {
        this.console = console;
    }

    @Incoming("staff-typing")
    public void relay(StaffTyping typing) {
        if (typing != null && typing.companyId() != null && typing.customerId() != null) {
            console.relayTyping(typing);
        }
    }
}
