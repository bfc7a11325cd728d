package dev.handover.gateway.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.AgentPresence;
import dev.handover.events.AgentRef;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerEventType;
import dev.handover.events.CustomerSnapshot;
import dev.handover.events.EventJson;
import dev.handover.events.MessageAuthor;
import dev.handover.events.MessageDelivery;

/**
 * Writes a {@code customer.events} record as the spec's broadcast frame, once per audience: the assigned agent
 * (whose customer object says {@code is_assigned_to_me: true}; for a status change, the agent concerned) and
 * everyone else.
 */
public final class EventRenderer {

    /** The frame for the assignee (if any) and for everyone else, in each protocol; {@code null}: nothing to send. */
    public record Rendered(long seq, String eventId, String assigneeId, String forAssignee, String forOthers,
            String socketIoForAssignee, String socketIo) {
        /** The frame for {@code session} in its protocol and audience; {@code null} when it has none. */
        public String frameFor(AgentSession session) {
            boolean assignee = assigneeId != null && assigneeId.equals(session.agentId());
            if (session.protocol() == AgentSession.Protocol.SOCKET_IO) {
                return assignee ? socketIoForAssignee : socketIo;
            }
            return assignee ? forAssignee : forOthers;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventRenderer() {
    }

    public static Rendered render(CustomerEvent event, long seq) {
        if (event.type() == CustomerEventType.AGENT_STATUS_CHANGED) {
            String frame = frame(event, seq, false);
            return new Rendered(seq, event.eventId(), event.agent().id(), frame, frame,
                    SocketIoEvents.withOffset(SocketIoEvents.renderForAgent(event), seq), null);
        }
        CustomerSnapshot customer = event.customer();
        String assignee = customer == null ? null : customer.agentId();
        String others = frame(event, seq, false);
        String mine = assignee == null ? others : frame(event, seq, true);
        String socketIo = SocketIoEvents.withOffset(SocketIoEvents.render(event), seq);
        return new Rendered(seq, event.eventId(), assignee, mine, others, socketIo, socketIo);
    }

    /** The customer object with what depends on who looks at it. */
    public static ObjectNode customer(CustomerSnapshot customer, boolean assignedToMe) {
        ObjectNode node = EventJson.tree(customer);
        node.put("is_assigned", customer.agentId() != null);
        node.put("is_assigned_to_me", assignedToMe);
        return node;
    }

    private static String frame(CustomerEvent event, long seq, boolean forAssignee) {
        ObjectNode frame = JSON.createObjectNode();
        frame.put("type", event.type().wireName());
        ObjectNode data = frame.putObject("data");
        long timestamp = event.occurredAt() == null ? 0 : event.occurredAt().getEpochSecond();
        CustomerSnapshot customer = event.customer();
        switch (event.type()) {
            case CUSTOMER_STOP_STATUS_CHANGED -> {
                data.set("customer", customer(customer, forAssignee));
                data.put("stop", event.stop() != null ? event.stop() : customer.stop());
                data.put("reason", event.reason());
                data.put("timestamp", timestamp);
            }
            case AGENT_ASSIGNMENT_CHANGED -> {
                AgentRef agent = event.agent();
                data.put("customer_id", customer.customerId());
                data.set("customer", customer(customer, forAssignee));
                data.put("agent_id", agent == null ? null : agent.id());
                data.put("agent_email", agent == null ? null : agent.email());
                data.put("agent_name", agent == null ? null : agent.name());
                data.put("action", event.action());
                data.put("reason", event.reason());
                if (event.queuePosition() != null) {
                    data.put("queue_position", event.queuePosition());
                    data.put("estimated_wait_seconds", event.estimatedWaitSeconds());
                }
                AgentRef previous = event.previousAgent();
                if (previous != null) {
                    data.putObject("previous_agent").put("agent_id", previous.id()).put("agent_email", previous.email())
                            .put("agent_name", previous.name());
                }
                data.put("page_id", customer.pageId());
                data.put("timestamp", timestamp);
            }
            case AGENT_REQUESTED -> {
                data.put("chat_id", customer.customerId());
                data.put("customer_name", customer.customerName());
                data.put("message", event.message() == null ? customer.lastMessage() : event.message().text());
                data.put("queue_position", event.queuePosition());
                data.put("estimated_wait_seconds", event.estimatedWaitSeconds());
                data.put("page_id", customer.pageId());
                data.put("timestamp", timestamp);
            }
            case NEW_MESSAGE -> {
                ChatMessage message = event.message();
                data.put("chat_id", customer.customerId());
                data.put("sender_id", message.senderId());
                data.put("recipient_id", message.recipientId());
                data.put("message", message.text());
                data.put("is_bot", message.author() == MessageAuthor.BOT);
                data.put("is_human", message.author() == MessageAuthor.AGENT || message.author() == MessageAuthor.HUMAN);
                data.put("is_system", message.author() == MessageAuthor.SYSTEM);
                AgentRef agent = message.agent();
                data.put("agent_id", agent == null ? null : agent.id());
                data.put("agent_email", agent == null ? null : agent.email());
                data.put("agent_name", agent == null ? null : agent.name());
                data.put("message_id", message.messageId());
                if (message.attachments() != null) {
                    data.set("attachments", JSON.valueToTree(message.attachments()));
                }
                data.put("page_id", customer.pageId());
                data.put("timestamp", timestamp);
            }
            case AGENT_STATUS_CHANGED -> {
                AgentRef agent = event.agent();
                AgentPresence presence = event.presence();
                data.put("agent_id", agent.id());
                data.put("agent_name", agent.name());
                data.put("agent_email", agent.email());
                data.put("status", presence.status());
                data.put("previous_status", presence.previousStatus());
                data.put("active_chats", presence.activeChats());
                data.put("reason", event.reason());
                data.put("timestamp", timestamp);
            }
            case MESSAGE_STATUS_CHANGED -> {
                MessageDelivery delivery = event.delivery();
                data.put("chat_id", customer.customerId());
                data.put("message_id", delivery.messageId());
                data.put("status", delivery.status());
                data.put("error", delivery.error());
                data.put("error_code", delivery.errorCode());
                data.put("page_id", customer.pageId());
                data.put("timestamp", timestamp);
            }
        }
        frame.put("seq", seq);
        return frame.toString();
    }
}
