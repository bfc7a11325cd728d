package dev.handover.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    private static final Instant T1 = Instant.parse("2024-01-01T10:00:00Z");
    private static final Instant T2 = Instant.parse("2024-01-01T10:05:00.123Z");
    private static final AgentRef AGENT = new AgentRef("agent_123", "Agent Smith", "agent@example.com");
    private static final CustomerSnapshot CUSTOMER = new CustomerSnapshot("123456", "John Doe", "John", "Doe",
            "page_123", "My Business Page", "company_1", 7, "I want to speak to a human", T2, T1, true, T2,
            "Agent Smith", "agent_123", "agent@example.com", T2, T1, T2);

    private final JsonSerializer serializer = new JsonSerializer();

    private <T> T roundTrip(T value, JsonDeserializer<T> deserializer, String... expectedJson) {
        byte[] bytes = serializer.serialize("topic", value);
        String json = new String(bytes, StandardCharsets.UTF_8);
        for (String fragment : expectedJson) {
            assertTrue(json.contains(fragment), () -> json + " lacks " + fragment);
        }
        assertFalse(json.matches(".*\"[a-z]+[A-Z][A-Za-z]*\":.*"), () -> "camelCase name in " + json);
        T back = deserializer.deserialize("topic", bytes);
        assertEquals(value, back);
        return back;
    }

    @Test
    void inboundMessageRoundTripsInSnakeCase() {
        var event = new InboundEvent("m_1", InboundKind.MESSAGE, "page_123", "123456", T1, "m_1", "hi äöå",
                List.of(new Attachment("image", "https://example.com/a.png")), "HUMAN", "Talk to a person",
                "AGENT", 1234L, "msg-9", List.of("m_0", "m_1"), T2, "John", "Doe");
        roundTrip(event, new InboundEvent.Deserializer(), "\"event_id\":\"m_1\"", "\"kind\":\"message\"",
                "\"page_id\":\"page_123\"", "\"quick_reply_payload\":\"HUMAN\"", "\"delivered_mids\":[\"m_0\",\"m_1\"]",
                "\"timestamp\":\"2024-01-01T10:00:00Z\"", "\"first_name\":\"John\"", "\"app_id\":1234");
    }

    @Test
    void inboundReadLeavesAbsentFieldsOut() {
        var read = new InboundEvent("read:page_123:123456:1704103500123", InboundKind.READ, "page_123", "123456",
                T2, null, null, null, null, null, null, null, null, null, T2, null, null);
        byte[] bytes = serializer.serialize("topic", read);
        String json = new String(bytes, StandardCharsets.UTF_8);
        assertFalse(json.contains("null"), json);
        assertEquals(read, new InboundEvent.Deserializer().deserialize("topic", bytes));
    }

    @Test
    void outboundTextAndSenderActionRoundTrip() {
        roundTrip(new OutboundMessage("msg-1", OutboundKind.TEXT, "company_1", "page_123", "123456", "Hello", null, T1, T2),
                new OutboundMessage.Deserializer(), "\"kind\":\"text\"", "\"customer_last_message_at\"");
        roundTrip(new OutboundMessage("msg-2", OutboundKind.SENDER_ACTION, "company_1", "page_123", "123456", null,
                SenderAction.TYPING_ON, T1, T2), new OutboundMessage.Deserializer(),
                "\"kind\":\"sender_action\"", "\"sender_action\":\"typing_on\"");
    }

    @Test
    void deliveryReportsRoundTrip() {
        roundTrip(new DeliveryReport("msg-1", "page_123", "123456", DeliveryStatus.SENT, "m_fb", null, null, null,
                false, 1, T2), new DeliveryReport.Deserializer(), "\"status\":\"sent\"", "\"facebook_message_id\"");
        roundTrip(new DeliveryReport("msg-2", "page_123", "123456", DeliveryStatus.FAILED, null, 10, 2018278,
                "Message sent outside of allowed window", false, 1, T2), new DeliveryReport.Deserializer(),
                "\"status\":\"failed\"", "\"error_subcode\":2018278", "\"retryable\":false");
    }

    @Test
    void everyCustomerEventTypeRoundTripsWithTheSpecsSpelling() {
        var deserializer = new CustomerEvent.Deserializer();
        roundTrip(new CustomerEvent("e1", CustomerEventType.CUSTOMER_STOP_STATUS_CHANGED, "company_1", T2, CUSTOMER,
                true, null, null, null, null, "customer_asked", null), deserializer, "\"type\":\"customer_stop_status_changed\"",
                "\"stopped_at\":\"2024-01-01T10:05:00.123Z\"", "\"message_count\":7", "\"company_id\":\"company_1\"");
        roundTrip(new CustomerEvent("e2", CustomerEventType.AGENT_ASSIGNMENT_CHANGED, "company_1", T2, CUSTOMER,
                null, AGENT, "assigned", null, null, "transferred", new AgentRef("agent_2", "Agent Jones", "jones@example.com")),
                deserializer, "\"type\":\"agent_assignment_changed\"", "\"action\":\"assigned\"",
                "\"agent_email\":\"agent@example.com\"", "\"reason\":\"transferred\"",
                "\"previous_agent\":{\"id\":\"agent_2\"");
        var request = new ChatMessage("msg-3", "m_3", "123456", "page_123", "I want to speak to a human",
                MessageAuthor.CUSTOMER, null);
        roundTrip(new CustomerEvent("e3", CustomerEventType.AGENT_REQUESTED, "company_1", T2, CUSTOMER, true, null,
                null, request, null, null, null), deserializer, "\"type\":\"agent_requested\"", "\"author\":\"customer\"");
        var reply = new ChatMessage("msg-4", null, "page_123", "123456", "Hello", MessageAuthor.AGENT, AGENT);
        roundTrip(new CustomerEvent("e4", CustomerEventType.NEW_MESSAGE, "company_1", T2, CUSTOMER, null, null, null,
                reply, null, null, null), deserializer, "\"type\":\"new_message\"", "\"recipient_id\":\"123456\"");
        roundTrip(new CustomerEvent("e5", CustomerEventType.MESSAGE_STATUS_CHANGED, "company_1", T2, CUSTOMER, null, null,
                null, null, new MessageDelivery("msg-4", "failed", "(#190) Invalid OAuth access token", 190), null, null),
                deserializer,
                "\"type\":\"message_status_changed\"", "\"delivery\":{\"message_id\":\"msg-4\",\"status\":\"failed\"");
    }

    @Test
    void anAgentsStatusChangeAndAGatewaysPresenceReportRoundTrip() {
        roundTrip(new CustomerEvent("e6", CustomerEventType.AGENT_STATUS_CHANGED, "company_1", T2, null, null, AGENT, null,
                null, null, "disconnected", null, null, null, new AgentPresence("offline", "away", 2)),
                new CustomerEvent.Deserializer(), "\"type\":\"agent_status_changed\"",
                "\"presence\":{\"status\":\"offline\",\"previous_status\":\"away\",\"active_chats\":2}");
        roundTrip(new PresenceReport("gateway-0", "company_1", java.util.List.of(AGENT), T1, 30),
                new PresenceReport.Deserializer(), "\"instance_id\":\"gateway-0\"", "\"ttl_seconds\":30",
                "\"agents\":[{\"id\":\"agent_123\"");
    }

    @Test
    void staffTypingRoundTrips() {
        roundTrip(new StaffTyping("company_1", "123456", "agent_1", "Agent Smith", "session-1", true, T1),
                new StaffTyping.Deserializer(), "\"session_id\":\"session-1\"", "\"typing\":true");
    }

    @Test
    void unknownFieldsFromANewerProducerAreIgnored() {
        String json = "{\"message_id\":\"m\",\"kind\":\"text\",\"page_id\":\"p\",\"customer_id\":\"c\","
                + "\"text\":\"t\",\"added_later\":{\"x\":1}}";
        var message = new OutboundMessage.Deserializer().deserialize("t", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("t", message.text());
        assertNull(message.senderAction());
    }

    @Test
    void malformedRecordsFailWithASerializationException() {
        var deserializer = new CustomerEvent.Deserializer();
        var broken = assertThrows(SerializationException.class,
                () -> deserializer.deserialize("customer.events", "{\"event_id\":".getBytes(StandardCharsets.UTF_8)));
        assertTrue(broken.getMessage().contains("CustomerEvent on customer.events"), broken.getMessage());
        assertThrows(SerializationException.class,
                () -> deserializer.deserialize("customer.events", "{\"type\":\"no_such_type\"}".getBytes(StandardCharsets.UTF_8)));
        assertNull(deserializer.deserialize("customer.events", null));
    }

    @Test
    void conversationKeyJoinsPageAndCustomer() {
        assertEquals("page_123:123456", Topics.conversationKey("page_123", "123456"));
    }
}
