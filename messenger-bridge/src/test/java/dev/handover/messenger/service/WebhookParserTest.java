package dev.handover.messenger.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.handover.events.Attachment;
import dev.handover.events.InboundEvent;
import dev.handover.events.InboundKind;

/** Facebook's documented webhook examples, item by item. */
class WebhookParserTest {

    private final ObjectMapper json = new ObjectMapper();

    private WebhookParser.Parsed parse(String items) throws Exception {
        return new WebhookParser().parse(json.readTree("{\"object\":\"page\",\"entry\":[{\"id\":\"PAGE\",\"time\":1458692752478,"
                + items + "}]}"));
    }

    private InboundEvent only(String item) throws Exception {
        var parsed = parse("\"messaging\":[" + item + "]");
        assertEquals(List.of(), parsed.skipped());
        return parsed.events().get(0);
    }

    @Test
    void textMessageWithQuickReply() throws Exception {
        var e = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458692752478,"
                + "\"message\":{\"mid\":\"m_1\",\"text\":\"Red\",\"quick_reply\":{\"payload\":\"DEVELOPER_DEFINED_PAYLOAD\"}}}");
        assertEquals(InboundKind.MESSAGE, e.kind());
        assertEquals("m_1", e.eventId());
        assertEquals("PAGE", e.pageId());
        assertEquals("PSID", e.customerId());
        assertEquals("Red", e.text());
        assertEquals("DEVELOPER_DEFINED_PAYLOAD", e.quickReplyPayload());
        assertEquals(Instant.ofEpochMilli(1458692752478L), e.timestamp());
    }

    @Test
    void threadControlPassedTakenAndRequestedAsMessengerDocumentsThem() throws Exception {
        var passed = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458692752478,"
                + "\"pass_thread_control\":{\"previous_owner_app_id\":\"111\",\"new_owner_app_id\":\"123456789\","
                + "\"metadata\":\"Additional content that the caller wants to set\"}}");
        assertEquals(InboundKind.HANDOVER, passed.kind());
        assertEquals("pass_thread_control", passed.handover());
        assertEquals("123456789", passed.newOwnerAppId());
        assertEquals("111", passed.previousOwnerAppId());
        assertEquals("Additional content that the caller wants to set", passed.metadata());
        assertEquals("PSID", passed.customerId());
        assertEquals("PAGE", passed.pageId());
        var taken = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458692752479,"
                + "\"take_thread_control\":{\"previous_owner_app_id\":\"123456789\",\"new_owner_app_id\":\"111\","
                + "\"metadata\":\"back to the bot\"}}");
        assertEquals("take_thread_control", taken.handover());
        assertEquals("111", taken.newOwnerAppId());
        var requested = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458692752480,"
                + "\"request_thread_control\":{\"requested_owner_app_id\":111,\"metadata\":\"may I?\"}}");
        assertEquals("request_thread_control", requested.handover());
        assertEquals("111", requested.newOwnerAppId());
        // a role change concerns the page, not a conversation
        var roles = parse("\"messaging\":[{\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458692752481,"
                + "\"app_roles\":{\"123456789\":[\"primary_receiver\"]}}]");
        assertEquals(List.of(), roles.events());
        assertEquals(List.of("app_roles"), roles.skipped());
    }

    @Test
    void standbyItemsAreMarkedAsSuch() throws Exception {
        var parsed = parse("\"standby\":[{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},"
                + "\"timestamp\":1458692752478,\"message\":{\"mid\":\"m_s\",\"text\":\"I want a human\"}}],"
                + "\"messaging\":[{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},"
                + "\"timestamp\":1458692752479,\"message\":{\"mid\":\"m_m\",\"text\":\"hello\"}}]");
        assertEquals(2, parsed.events().size());
        var standby = parsed.events().stream().filter(e -> e.eventId().equals("m_s")).findFirst().orElseThrow();
        var main = parsed.events().stream().filter(e -> e.eventId().equals("m_m")).findFirst().orElseThrow();
        assertEquals(true, standby.inStandby());
        assertEquals(false, main.inStandby());
    }

    @Test
    void attachments() throws Exception {
        var e = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1,"
                + "\"message\":{\"mid\":\"m_2\",\"attachments\":[{\"type\":\"image\",\"payload\":{\"url\":\"https://x/a.png\"}},"
                + "{\"type\":\"file\",\"payload\":{\"url\":\"https://x/b.pdf\"}}]}}");
        assertEquals(2, e.attachments().size());
        assertEquals("image", e.attachments().get(0).type());
        assertEquals("https://x/b.pdf", e.attachments().get(1).url());
        assertNull(e.text());
    }

    @Test
    void everyAttachmentKindKeepsWhatItCarries() throws Exception {
        var e = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1,"
                + "\"message\":{\"mid\":\"m_9\",\"reply_to\":{\"mid\":\"m_earlier\"},\"attachments\":["
                + "{\"type\":\"location\",\"title\":\"Home\",\"payload\":{\"coordinates\":{\"lat\":45.46,\"long\":9.19}}},"
                + "{\"type\":\"image\",\"payload\":{\"url\":\"https://x/s.png\",\"sticker_id\":369239263222822}},"
                + "{\"type\":\"fallback\",\"title\":\"A shared link\",\"url\":\"https://example.com/post\",\"payload\":null},"
                + "{\"type\":\"video\",\"payload\":{\"url\":\"https://x/v.mp4\"}},"
                + "{\"type\":\"audio\",\"payload\":{\"url\":\"https://x/a.mp4\"}}]}}");
        assertEquals("m_earlier", e.replyToMid());
        assertEquals(new Attachment("location", null, "Home", 45.46, 9.19), e.attachments().get(0));
        assertEquals(new Attachment("sticker", "https://x/s.png", null, null, null), e.attachments().get(1));
        assertEquals(new Attachment("fallback", "https://example.com/post", "A shared link", null, null), e.attachments().get(2));
        assertEquals(List.of("location", "sticker", "fallback", "video", "audio"),
                e.attachments().stream().map(Attachment::type).toList());
    }

    @Test
    void editsReactionsReferralsAndABotsTemplate() throws Exception {
        var parsed = parse("\"messaging\":["
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":2,"
                + "\"message_edit\":{\"mid\":\"m_1\",\"text\":\"Red, not blue\",\"num_edit\":1}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":3,"
                + "\"reaction\":{\"mid\":\"m_2\",\"action\":\"react\",\"reaction\":\"love\",\"emoji\":\"\\u2764\"}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":4,"
                + "\"reaction\":{\"mid\":\"m_2\",\"action\":\"unreact\",\"reaction\":\"love\"}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":5,"
                + "\"referral\":{\"ref\":\"SPRING_SALE\",\"source\":\"ADS\",\"type\":\"OPEN_THREAD\"}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":6,"
                + "\"postback\":{\"title\":\"Get Started\",\"payload\":\"GET_STARTED\",\"referral\":{\"ref\":\"QR_42\",\"source\":\"MESSENGER_CODE\"}}},"
                + "{\"sender\":{\"id\":\"PAGE\"},\"recipient\":{\"id\":\"PSID\"},\"timestamp\":7,"
                + "\"message\":{\"is_echo\":true,\"app_id\":1,\"mid\":\"m_bot\",\"attachments\":[{\"type\":\"template\",\"payload\":{\"template_type\":\"button\"}}]}},"
                + "{\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":8,\"sender\":{\"id\":\"PAGE\"},"
                + "\"policy-enforcement\":{\"action\":\"block\",\"reason\":\"The bot violated our Platform Policies\"}}]");
        assertEquals(List.of(InboundKind.EDIT, InboundKind.REACTION, InboundKind.REACTION, InboundKind.REFERRAL,
                InboundKind.POSTBACK, InboundKind.ECHO), parsed.events().stream().map(InboundEvent::kind).toList());
        assertEquals("Red, not blue", parsed.events().get(0).text());
        assertEquals("m_1", parsed.events().get(0).mid());
        assertEquals("\u2764", parsed.events().get(1).reaction());
        assertNull(parsed.events().get(2).reaction(), "unreact takes it back");
        assertEquals("SPRING_SALE", parsed.events().get(3).referralRef());
        assertEquals("MESSENGER_CODE", parsed.events().get(4).referralSource());
        assertEquals(new Attachment("template", null, "button", null, null), parsed.events().get(5).attachments().get(0));
        assertEquals(List.of("policy_enforcement"), parsed.skipped(), "alerted, not counted as invalid");
        assertEquals(List.of("action=block reason=The bot violated our Platform Policies"), parsed.alerts());
    }

    @Test
    void postbackWithAndWithoutMid() throws Exception {
        var e = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1527459824,"
                + "\"postback\":{\"mid\":\"m_3\",\"title\":\"Talk to an agent\",\"payload\":\"HUMAN_AGENT\"}}");
        assertEquals(InboundKind.POSTBACK, e.kind());
        assertEquals("m_3", e.eventId());
        assertEquals("HUMAN_AGENT", e.postbackPayload());
        assertEquals("Talk to an agent", e.postbackTitle());
        var old = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1527459824,"
                + "\"postback\":{\"title\":\"Start\",\"payload\":\"GET_STARTED\"}}");
        assertEquals("postback:PAGE:PSID:1527459824", old.eventId());
    }

    @Test
    void echoIsTheCustomersConversation() throws Exception {
        var e = only("{\"sender\":{\"id\":\"PAGE\"},\"recipient\":{\"id\":\"PSID\"},\"timestamp\":1457764197627,"
                + "\"message\":{\"is_echo\":true,\"app_id\":1517776481860111,\"metadata\":\"msg-7\",\"mid\":\"m_4\",\"text\":\"hi\"}}");
        assertEquals(InboundKind.ECHO, e.kind());
        assertEquals("PAGE", e.pageId());
        assertEquals("PSID", e.customerId());
        assertEquals(1517776481860111L, e.appId());
        assertEquals("msg-7", e.metadata());
    }

    @Test
    void deliveryAndReadCarryWatermarks() throws Exception {
        var d = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},"
                + "\"delivery\":{\"mids\":[\"m_5\"],\"watermark\":1458668856253}}");
        assertEquals(InboundKind.DELIVERY, d.kind());
        assertEquals(List.of("m_5"), d.deliveredMids());
        assertEquals(Instant.ofEpochMilli(1458668856253L), d.watermark());
        assertEquals("delivery:PAGE:PSID:1458668856253", d.eventId());
        var r = only("{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":1458668856463,"
                + "\"read\":{\"watermark\":1458668856253}}");
        assertEquals(InboundKind.READ, r.kind());
        assertNull(r.deliveredMids());
    }

    @Test
    void standbyItemsUnknownKindsAndBrokenItemsDoNotDropTheirSiblings() throws Exception {
        var parsed = parse("\"messaging\":[{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},"
                + "\"game_play\":{\"game_id\":\"g_1\"}},"
                + "{\"recipient\":{\"id\":\"PAGE\"},\"message\":{\"mid\":\"m_x\",\"text\":\"no sender\"}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"message\":{\"text\":\"no mid\"}},"
                + "{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"message\":{\"mid\":\"m_6\",\"text\":\"ok\"}}],"
                + "\"standby\":[{\"sender\":{\"id\":\"PSID\"},\"recipient\":{\"id\":\"PAGE\"},\"timestamp\":2,"
                + "\"message\":{\"mid\":\"m_7\",\"text\":\"while the inbox owns the thread\"}}]");
        assertEquals(List.of("m_6", "m_7"), parsed.events().stream().map(InboundEvent::eventId).toList());
        assertEquals(List.of("unknown", "invalid", "invalid"), parsed.skipped());
    }
}
