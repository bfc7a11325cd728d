package dev.handover.events;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * A message of a conversation as a {@code new_message} broadcast carries it.
 *
 * @param senderId the customer's id or the page's id, as in Messenger
 * @param agent the agent who wrote it, when {@code author} is {@link MessageAuthor#AGENT}
 * @param attachments what the customer sent besides text (photos, files, a location), so a live view shows them
 *        without reloading the history; {@code null} for text alone
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(
        String messageId,
        String mid,
        String senderId,
        String recipientId,
        String text,
        MessageAuthor author,
        AgentRef agent,
        List<Attachment> attachments) {

    /** A message of text alone. */
    public ChatMessage(String messageId, String mid, String senderId, String recipientId, String text, MessageAuthor author,
            AgentRef agent) {
        this(messageId, mid, senderId, recipientId, text, author, agent, null);
    }
}
