package dev.handover.gateway.service;

import java.time.Instant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.AgentRef;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEvent;
import dev.handover.events.CustomerSnapshot;
import dev.handover.events.MessageAuthor;

/**
 * The staff console's Socket.IO events ({@code support-console-events.md}), as Engine.IO message packets
 * ({@code 42["event",{...}]}): broadcasts rendered from {@code customer.events}, and the shapes shared by the
 * console's requests and answers.
 */
public final class SocketIoEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SocketIoEvents() {
    }

    /**
     * {@code customer:new}, {@code customer:update}, {@code message:new} or {@code message:update} for a broadcast;
     * an agent's status change is for that agent alone ({@link #renderForAgent}), {@code null} here.
     */
    static String render(CustomerEvent event) {
        CustomerSnapshot c = event.customer();
        return switch (event.type()) {
            case AGENT_STATUS_CHANGED -> null;
            case AGENT_REQUESTED -> packet("customer:new", JSON.createObjectNode().set("customer", customer(c)
                    .put("queuePosition", event.queuePosition()).put("estimatedWaitSeconds", event.estimatedWaitSeconds())));
            case CUSTOMER_STOP_STATUS_CHANGED, AGENT_ASSIGNMENT_CHANGED -> {
                ObjectNode update = JSON.createObjectNode().put("customerId", c.customerId()).put("pageId", c.pageId())
                        .put("reason", event.reason());
                ObjectNode updates = update.putObject("updates").put("active", true).put("needsSupport", c.stop())
                        .put("assignedTo", c.agentId());
                if (event.queuePosition() != null) {
                    updates.put("queuePosition", event.queuePosition()).put("estimatedWaitSeconds", event.estimatedWaitSeconds());
                }
                yield packet("customer:update", update);
            }
            case NEW_MESSAGE -> packet("message:new", JSON.createObjectNode().set("message", message(event.message(), c,
                    event.occurredAt())));
            case MESSAGE_STATUS_CHANGED -> packet("message:update", JSON.createObjectNode().put("customerId", c.customerId())
                    .put("messageId", event.delivery().messageId()).put("status", event.delivery().status())
                    .put("error", event.delivery().error()));
        };
    }

    /**
     * {@code staff:status} from customer-service's agent object: {@code online} (available for customers, so
     * not when away), the status itself, and the customers the agent holds.
     */
    public static ObjectNode staffStatus(JsonNode agent) {
        return JSON.createObjectNode().put("online", "online".equals(agent.path("status").asText()))
                .put("status", agent.path("status").asText()).put("activeChats", agent.path("active_chats").asLong());
    }

    /** {@code staff:status} for the agent whose status changed; {@code null} for any other event. */
    static String renderForAgent(CustomerEvent event) {
        if (event.type() != dev.handover.events.CustomerEventType.AGENT_STATUS_CHANGED || event.presence() == null) {
            return null;
        }
        return packet("staff:status", JSON.createObjectNode().put("online", "online".equals(event.presence().status()))
                .put("status", event.presence().status()).put("activeChats", event.presence().activeChats()));
    }

    /** The console's customer object. */
    public static ObjectNode customer(CustomerSnapshot c) {
        ObjectNode customer = JSON.createObjectNode().put("id", c.customerId())
                .put("name", c.customerName() != null ? c.customerName() : c.customerId()).put("avatar", "")
                .put("active", true).put("needsSupport", c.stop()).put("assignedTo", c.agentId())
                .put("pageId", c.pageId()).put("pageName", c.pageName()).put("lastMessage", c.lastMessage());
        if (c.updatedAt() != null) {
            customer.put("waitingSince", c.updatedAt().toString());
        }
        return customer;
    }

    /**
     * The console's customer object from customer-service's JSON (snake_case) customer; a waiting customer of
     * a list also has their place in the queue.
     */
    public static ObjectNode customer(JsonNode c) {
        ObjectNode customer = JSON.createObjectNode().put("id", c.path("customer_id").asText())
                .put("name", c.path("customer_name").asText(c.path("customer_id").asText())).put("avatar", "")
                .put("active", true).put("needsSupport", c.path("stop").asBoolean())
                .put("assignedTo", c.path("agent_id").asText(null)).put("pageId", c.path("page_id").asText())
                .put("pageName", c.path("page_name").asText(null)).put("lastMessage", c.path("last_message").asText(null))
                .put("waitingSince", c.path("updated_at").asText(null));
        if (c.has("queue_position")) {
            customer.set("queuePosition", c.get("queue_position"));
            customer.set("estimatedWaitSeconds", c.path("estimated_wait_seconds").isMissingNode()
                    ? customer.nullNode() : c.get("estimated_wait_seconds"));
        }
        return customer;
    }

    private static ObjectNode message(ChatMessage m, CustomerSnapshot c, Instant at) {
        AgentRef agent = m.agent();
        ObjectNode message = JSON.createObjectNode().put("id", m.messageId()).put("customerId", c.customerId())
                .put("text", m.text()).put("timestamp", (at == null ? Instant.now() : at).toString())
                .put("isCustomer", m.author() == MessageAuthor.CUSTOMER).put("pageId", c.pageId());
        if (agent != null) {
            message.put("staffName", agent.name());
        } else if (m.author() == MessageAuthor.BOT) {
            message.put("staffName", "Bot");
        } else if (m.author() == MessageAuthor.HUMAN) {
            message.put("staffName", "Page Inbox");
        } else if (m.author() == MessageAuthor.SYSTEM) {
            message.put("staffName", "Handover");
        }
        if (m.attachments() != null) {
            message.set("attachments", JSON.valueToTree(m.attachments()));
        }
        return message;
    }

    /** A history message from customer-service's JSON message. */
    public static ObjectNode historyMessage(JsonNode m, String customerId) {
        ObjectNode message = JSON.createObjectNode().put("id", m.path("id").asText()).put("customerId", customerId)
                .put("text", m.path("text").asText("")).put("timestamp", m.path("created_at").asText())
                .put("isCustomer", "customer".equals(m.path("author").asText()));
        if (m.hasNonNull("agent_name")) {
            message.put("staffName", m.get("agent_name").asText());
        } else if ("bot".equals(m.path("author").asText())) {
            message.put("staffName", "Bot");
        } else if ("system".equals(m.path("author").asText())) {
            message.put("staffName", "Handover");
        }
        if (m.hasNonNull("status")) {
            message.put("status", m.get("status").asText());
        }
        if (m.path("attachments").isArray()) {
            message.set("attachments", m.get("attachments"));
        }
        return message;
    }

    /** {@code 42["event",payload]}. */
    public static String packet(String event, JsonNode payload) {
        ArrayNode array = JSON.createArrayNode().add(event).add(payload);
        return "42" + array;
    }

    /**
     * A broadcast packet with its offset, the company's {@code seq}, as the last argument: what Socket.IO's
     * connection state recovery sends, so that a client reconnecting with it gets what it missed from any gateway.
     */
    static String withOffset(String packet, long seq) {
        return packet == null ? null : packet.substring(0, packet.length() - 1) + ",\"" + seq + "\"]";
    }

    /** {@code 43<id>[payload]}. */
    public static String ack(long id, JsonNode payload) {
        return "43" + id + JSON.createArrayNode().add(payload);
    }

    /** The {@code error} event: {@code code}, {@code message}, {@code context}. */
    public static String error(String code, String message, JsonNode context) {
        ObjectNode error = JSON.createObjectNode().put("code", code).put("message", message);
        if (context != null) {
            error.set("context", context);
        }
        return packet("error", error);
    }

    public static ObjectNode object() {
        return JSON.createObjectNode();
    }
}
