package dev.handover.messenger.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.messenger.config.BridgeConfig;
import dev.handover.messenger.graph.GraphClient;
import dev.handover.messenger.service.SignatureVerifier;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.http.HttpServerRequest;

/**
 * The Messenger sandbox of the local stack. A person plays a customer: their message becomes a real signed
 * webhook call through the normal path. The bridge's Graph API client is pointed here: sends are recorded and
 * can be read back per customer. Off unless {@code messenger.sandbox.enabled}, and then only with the local
 * app secret: a deployment with a real secret refuses to start with the sandbox on.
 */
@Path("/sandbox")
public class SandboxResource {

    /** The documented local app secret, the only one the sandbox runs with. */
    public static final String LOCAL_APP_SECRET = "handover-local-app-secret";
    private static final String SANDBOX_TOKEN_PREFIX = "sandbox-page-token-";
    /** Handover's app in the sandbox: the sender of its echoes, the secondary receiver on pages with a bot. */
    public static final long SANDBOX_APP_ID = 1_000_000_000_000_001L;
    /** The bot app of sandbox pages that have one: the primary receiver of their conversations. */
    public static final long SANDBOX_BOT_APP_ID = 1_000_000_000_000_002L;
    /** Facebook's refusal of a send while another app owns the conversation. */
    private static final int[] OWNED_BY_ANOTHER_APP = { 10, 2018300 };
    private static final java.util.regex.Pattern WANTS_HUMAN = java.util.regex.Pattern.compile(
            "\\b(human|person|agent)\\b", java.util.regex.Pattern.CASE_INSENSITIVE);
    private static final String CONNECTION_RESET = "connection_reset";
    /** The faults the sandbox can play, with Facebook's code and subcode (0: none). */
    private static final Map<String, int[]> FAULTS = Map.of("window_closed", new int[] { 10, 2018278 },
            "user_unavailable", new int[] { 551, 1545041 }, "rate_limited", new int[] { 613, 0 },
            "token_expired", new int[] { 190, 463 });

    private final BridgeConfig config;
    private final SandboxStore store;
    private final ObjectMapper json;
    private final SignatureVerifier signer;
    private final HttpClient http = HttpClient.newHttpClient();

    public SandboxResource(BridgeConfig config, SandboxStore store, ObjectMapper json) {
        this.config = config;
        this.store = store;
        this.json = json;
        this.signer = new SignatureVerifier(config.appSecret());
    }

    static void atStart(@Observes StartupEvent start, BridgeConfig config) {
        guard(config.sandbox().enabled(), config.appSecret(), LaunchMode.current() == LaunchMode.NORMAL);
    }

    /**
     * Refuses the sandbox with any app secret but the local one, and in production the local secret (which is
     * public, so anyone could sign webhooks with it) without the sandbox.
     */
    public static void guard(boolean enabled, String appSecret, boolean production) {
        if (enabled && !LOCAL_APP_SECRET.equals(appSecret)) {
            throw new IllegalStateException("The Messenger sandbox runs only with the local app secret; "
                    + "turn messenger.sandbox.enabled off for a real deployment");
        }
        if (!enabled && production && LOCAL_APP_SECRET.equals(appSecret)) {
            throw new IllegalStateException("The local app secret is public: set MESSENGER_APP_SECRET to your "
                    + "Facebook app's secret (or MESSENGER_SANDBOX_ENABLED=true for the local sandbox)");
        }
    }

    /**
     * A customer writes to a page: {@code {"text", "first_name"?, "last_name"?, "postback"?, "attachments"?}}, the
     * attachments as {@code [{"type": "image", "url": ...}]}, what Messenger puts in the webhook's payload.
     */
    @POST
    @Path("/pages/{pageId}/customers/{customerId}/messages")
    public Response customerWrites(@PathParam("pageId") String pageId, @PathParam("customerId") String customerId,
            JsonNode body, @Context HttpServerRequest request) throws IOException, InterruptedException {
        requireEnabled();
        String text = body == null ? null : body.path("text").asText(null);
        String postback = body == null ? null : body.path("postback").asText(null);
        JsonNode attachments = body == null ? null : body.get("attachments");
        boolean attached = attachments != null && attachments.isArray() && !attachments.isEmpty();
        if ((text == null || text.isBlank()) && postback == null && !attached) {
            return Response.status(400).entity(json.createObjectNode().put("error", "text, postback or attachments is required"))
                    .build();
        }
        store.name(customerId, body.path("first_name").asText(null), body.path("last_name").asText(null));
        store.calledOnPort(request.localAddress().port());
        String mid = "m_sandbox_" + UUID.randomUUID();
        ObjectNode item = item(customerId, pageId);
        if (postback != null) {
            item.putObject("postback").put("mid", mid).put("title", text != null ? text : postback).put("payload", postback);
        } else {
            ObjectNode message = item.putObject("message").put("mid", mid);
            if (text != null) {
                message.put("text", text);
            }
            if (attached) {
                var list = message.putArray("attachments");
                attachments.forEach(a -> list.addObject().put("type", a.path("type").asText("file")).putObject("payload")
                        .put("url", a.path("url").asText(null)));
            }
        }
        boolean botOwns = store.hasBot(pageId) && store.owner(pageId, customerId, SANDBOX_BOT_APP_ID) == SANDBOX_BOT_APP_ID;
        HttpResponse<String> answer = http.send(webhook(pageId, botOwns ? "standby" : "messaging", item),
                HttpResponse.BodyHandlers.ofString());
        if (botOwns) {
            bot(pageId, customerId, text);
        }
        return Response.status(answer.statusCode() == 200 ? 202 : 502).entity(json.createObjectNode().put("mid", mid)
                .put("webhook_status", answer.statusCode()).put("webhook_answer", answer.body())).build();
    }

    /**
     * The page's bot (primary receiver) answers what it owns; Handover sees the customer's words and the bot's answers
     * in {@code standby}. Asked for a human (person, agent), the bot says so and passes the conversation to Handover.
     */
    private void bot(String pageId, String customerId, String text) throws IOException, InterruptedException {
        boolean human = text != null && WANTS_HUMAN.matcher(text).find();
        ObjectNode echo = item(pageId, customerId);
        echo.putObject("message").put("is_echo", true).put("app_id", SANDBOX_BOT_APP_ID).put("mid", "m_bot_" + UUID.randomUUID())
                .put("text", human ? "Bot: let me find you a person." : "Bot: I can tell you about orders, returns and opening hours.");
        http.send(webhook(pageId, "standby", echo), HttpResponse.BodyHandlers.discarding());
        if (human) {
            store.own(pageId, customerId, SANDBOX_APP_ID);
            ObjectNode pass = item(customerId, pageId);
            pass.putObject("pass_thread_control").put("previous_owner_app_id", String.valueOf(SANDBOX_BOT_APP_ID))
                    .put("new_owner_app_id", String.valueOf(SANDBOX_APP_ID)).put("metadata", "The customer asked for a person");
            http.send(webhook(pageId, "messaging", pass), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Gives a sandbox page a bot app ({@link #SANDBOX_BOT_APP_ID}) that owns its conversations until it passes them. */
    @jakarta.ws.rs.PUT
    @Path("/pages/{pageId}/bot")
    public Response botOn(@PathParam("pageId") String pageId) {
        requireEnabled();
        store.botOn(pageId);
        return Response.ok(json.createObjectNode().put("page_id", pageId).put("bot_app_id", String.valueOf(SANDBOX_BOT_APP_ID)))
                .build();
    }

    /** Every Graph API call about the customer's conversation, oldest first: sends and thread control. */
    @GET
    @Path("/pages/{pageId}/customers/{customerId}/graph")
    public List<ObjectNode> graphCalls(@PathParam("pageId") String pageId, @PathParam("customerId") String customerId) {
        requireEnabled();
        return store.calls(pageId, customerId).stream().map(s -> json.createObjectNode().put("call", s.call())
                .put("at", s.at().toString()).set("body", s.request())).map(ObjectNode.class::cast).toList();
    }

    /** The sandbox's thread control: Handover takes the conversation, or passes it to {@code target_app_id}. */
    @POST
    @Path("/graph/{version}/me/{action: take_thread_control|pass_thread_control}")
    public Response threadControl(@PathParam("action") String action, @QueryParam("access_token") String token,
            JsonNode body) {
        requireEnabled();
        if (token == null || !token.startsWith(SANDBOX_TOKEN_PREFIX)) {
            return invalidToken();
        }
        String pageId = token.substring(SANDBOX_TOKEN_PREFIX.length());
        String customerId = body.path("recipient").path("id").asText();
        store.record(new SandboxStore.Sent(action, pageId, customerId, token, body, null, Instant.now()));
        store.own(pageId, customerId, action.equals("take_thread_control") ? SANDBOX_APP_ID
                : body.path("target_app_id").asLong(SANDBOX_BOT_APP_ID));
        return Response.ok(json.createObjectNode().put("success", true)).build();
    }

    /** The customer opens the conversation: a read receipt for everything the page sent until now. */
    @POST
    @Path("/pages/{pageId}/customers/{customerId}/read")
    public Response customerReads(@PathParam("pageId") String pageId, @PathParam("customerId") String customerId,
            @Context HttpServerRequest request) throws IOException, InterruptedException {
        requireEnabled();
        store.calledOnPort(request.localAddress().port());
        ObjectNode item = item(customerId, pageId);
        item.putObject("read").put("watermark", Instant.now().toEpochMilli());
        HttpResponse<String> answer = http.send(webhook(pageId, item), HttpResponse.BodyHandlers.ofString());
        return Response.status(answer.statusCode() == 200 ? 202 : 502).build();
    }

    /**
     * Makes Facebook fail the next sends to this customer, as it does for real: {@code {"fault", "times"?}} with
     * {@code window_closed} (10/2018278), {@code user_unavailable} (551/1545041), {@code rate_limited} (613),
     * {@code token_expired} (190/463) or {@code connection_reset} (the connection closed without an answer).
     */
    @POST
    @Path("/pages/{pageId}/customers/{customerId}/faults")
    public Response fault(@PathParam("pageId") String pageId, @PathParam("customerId") String customerId, JsonNode body) {
        requireEnabled();
        String fault = body == null ? null : body.path("fault").asText(null);
        int times = body == null ? 1 : body.path("times").asInt(1);
        if (fault == null || !FAULTS.containsKey(fault) && !CONNECTION_RESET.equals(fault)) {
            return Response.status(400).entity(json.createObjectNode().put("error", "fault must be one of "
                    + String.join(", ", FAULTS.keySet()) + ", " + CONNECTION_RESET)).build();
        }
        if (times < 1 || times > 100) {
            return Response.status(400).entity(json.createObjectNode().put("error", "times must be between 1 and 100")).build();
        }
        store.fault(pageId, customerId, fault, times);
        return Response.status(202).entity(json.createObjectNode().put("fault", fault).put("times", times)).build();
    }

    private ObjectNode item(String senderId, String recipientId) {
        ObjectNode item = json.createObjectNode();
        item.putObject("sender").put("id", senderId);
        item.putObject("recipient").put("id", recipientId);
        item.put("timestamp", Instant.now().toEpochMilli());
        return item;
    }

    /** A signed webhook of {@code pageId} with one messaging item, to this bridge on loopback. */
    private HttpRequest webhook(String pageId, ObjectNode item) throws IOException {
        return webhook(pageId, "messaging", item);
    }

    /** The same, with the item in {@code list}: {@code messaging}, or {@code standby} when another app owns the conversation. */
    private HttpRequest webhook(String pageId, String list, ObjectNode item) throws IOException {
        ObjectNode webhook = json.createObjectNode().put("object", "page");
        ObjectNode entry = webhook.putArray("entry").addObject().put("id", pageId).put("time", Instant.now().toEpochMilli());
        entry.putArray(list).add(item);
        byte[] bytes = json.writeValueAsBytes(webhook);
        return HttpRequest.newBuilder(URI.create(store.selfUrl() + "webhook"))
                .header("Content-Type", "application/json").header("X-Hub-Signature-256", signer.header(bytes))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
    }

    /** What the customer received from the page, oldest first. */
    @GET
    @Path("/pages/{pageId}/customers/{customerId}/messages")
    public List<ObjectNode> received(@PathParam("pageId") String pageId, @PathParam("customerId") String customerId) {
        requireEnabled();
        return store.sentTo(pageId, customerId).stream().map(s -> {
            ObjectNode view = json.createObjectNode().put("message_id", s.messageId()).put("at", s.at().toString());
            JsonNode request = s.request();
            view.put("text", request.path("message").path("text").asText(null))
                    .put("sender_action", request.path("sender_action").asText(null))
                    .put("messaging_type", request.path("messaging_type").asText(null))
                    .put("tag", request.path("tag").asText(null));
            return view;
        }).toList();
    }

    /** The sandbox's page access token of a page: what an admin connects a sandbox page with. */
    public static String pageToken(String pageId) {
        return SANDBOX_TOKEN_PREFIX + pageId;
    }

    /** The sandbox {@code /me}: a sandbox page token names its page, as Facebook does for a real one. */
    @GET
    @Path("/graph/{version}/me")
    public Response me(@QueryParam("access_token") String token) {
        requireEnabled();
        if (token == null || !token.startsWith(SANDBOX_TOKEN_PREFIX) || token.length() == SANDBOX_TOKEN_PREFIX.length()) {
            return invalidToken();
        }
        String pageId = token.substring(SANDBOX_TOKEN_PREFIX.length());
        return Response.ok(json.createObjectNode().put("id", pageId)
                .put("name", config.sandbox().pageNames().getOrDefault(pageId, "Sandbox page " + pageId))).build();
    }

    /** The sandbox Send API: records the call and answers as Facebook does, refusing another page's token. */
    @POST
    @Path("/graph/{version}/{pageId}/messages")
    public Response send(@PathParam("pageId") String pageId, @QueryParam("access_token") String token, JsonNode body,
            @Context HttpServerRequest request) throws IOException {
        requireEnabled();
        if (!pageToken(pageId).equals(token)) {
            return invalidToken();
        }
        String recipientId = body.path("recipient").path("id").asText();
        if (!body.has("sender_action") && store.hasBot(pageId)
                && store.owner(pageId, recipientId, SANDBOX_BOT_APP_ID) != SANDBOX_APP_ID) {
            return Response.status(400).entity(json.createObjectNode().set("error", json.createObjectNode()
                    .put("message", "(#10) This person's conversation is controlled by another app")
                    .put("type", "OAuthException").put("code", OWNED_BY_ANOTHER_APP[0])
                    .put("error_subcode", OWNED_BY_ANOTHER_APP[1]))).build();
        }
        String fault = body.has("sender_action") ? null : store.nextFault(pageId, recipientId);
        if (CONNECTION_RESET.equals(fault)) {
            request.connection().close();
            return Response.noContent().build();
        }
        if (fault != null) {
            int[] code = FAULTS.get(fault);
            ObjectNode error = json.createObjectNode().put("message", "Sandbox: " + fault.replace('_', ' '))
                    .put("type", "OAuthException").put("code", code[0]);
            if (code[1] != 0) {
                error.put("error_subcode", code[1]);
            }
            return Response.status(400).entity(json.createObjectNode().set("error", error)).build();
        }
        String recipient = body.path("recipient").path("id").asText();
        String messageId = body.has("sender_action") ? null : "m_" + UUID.randomUUID();
        store.record(new SandboxStore.Sent("messages", pageId, recipient, token, body, messageId, Instant.now()));
        ObjectNode answer = json.createObjectNode().put("recipient_id", recipient);
        if (messageId != null) {
            answer.put("message_id", messageId);
            echoAndDeliver(pageId, recipient, messageId, body.path("message"));
        }
        return Response.ok(answer).build();
    }

    /** What Messenger does after a send: the page's echo (with our metadata), then the customer's delivery receipt. */
    private void echoAndDeliver(String pageId, String recipient, String mid, JsonNode message) throws IOException {
        ObjectNode echo = item(pageId, recipient);
        echo.putObject("message").put("is_echo", true).put("app_id", SANDBOX_APP_ID).put("mid", mid)
                .put("metadata", message.path("metadata").asText(null)).put("text", message.path("text").asText(null));
        ObjectNode delivery = item(recipient, pageId);
        delivery.putObject("delivery").put("watermark", Instant.now().toEpochMilli()).putArray("mids").add(mid);
        HttpRequest deliveryWebhook = webhook(pageId, delivery);
        http.sendAsync(webhook(pageId, echo), HttpResponse.BodyHandlers.discarding())
                .thenCompose(sent -> http.sendAsync(deliveryWebhook, HttpResponse.BodyHandlers.discarding()));
    }

    private Response invalidToken() {
        return Response.status(400).entity(json.createObjectNode().set("error", json.createObjectNode()
                .put("message", "Invalid OAuth access token - Cannot parse access token").put("type", "OAuthException")
                .put("code", 190))).build();
    }

    /** The sandbox user profile: the names the customer gave when writing. */
    @GET
    @Path("/graph/{version}/{customerId}")
    public Response profile(@PathParam("customerId") String customerId) {
        requireEnabled();
        ObjectNode answer = profileOf(customerId);
        return Response.status(answer.has("error") ? 400 : 200).entity(answer).build();
    }

    /**
     * The sandbox batch request, as Facebook answers one: each operation's {@code code} and {@code body} (a JSON
     * string) in the order asked; a profile ({@code GET {version}/{id}}) is answered as above, anything else refused.
     */
    @POST
    @Path("/graph/{version}")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response batch(@FormParam("batch") String batch, @FormParam("access_token") String token)
            throws IOException {
        requireEnabled();
        if (token == null || !token.startsWith(SANDBOX_TOKEN_PREFIX)) {
            return invalidToken();
        }
        JsonNode operations = batch == null ? null : readOrNull(batch);
        if (operations == null || !operations.isArray() || operations.isEmpty()
                || operations.size() > GraphClient.BATCH_LIMIT) {
            return Response.status(400).entity(json.createObjectNode().set("error", json.createObjectNode()
                    .put("message", "(#100) The batch parameter must be a JSON array of 1 to 50 operations")
                    .put("type", "GraphBatchException").put("code", 100))).build();
        }
        ArrayNode answers = json.createArrayNode();
        for (JsonNode operation : operations) {
            String[] path = operation.path("relative_url").asText("").split("\\?", 2)[0].replaceFirst("^/", "").split("/");
            ObjectNode answer = "GET".equals(operation.path("method").asText()) && path.length == 2
                    ? profileOf(path[1]) : unsupported();
            answers.addObject().put("code", answer.has("error") ? 400 : 200).put("body", json.writeValueAsString(answer));
        }
        return Response.ok(answers).build();
    }

    private JsonNode readOrNull(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private ObjectNode profileOf(String customerId) {
        String[] name = store.name(customerId);
        return name == null ? unsupported()
                : json.createObjectNode().put("id", customerId).put("first_name", name[0]).put("last_name", name[1]);
    }

    private ObjectNode unsupported() {
        ObjectNode answer = json.createObjectNode();
        answer.putObject("error").put("message", "Unsupported get request.").put("type", "GraphMethodException").put("code", 100);
        return answer;
    }

    private void requireEnabled() {
        if (!config.sandbox().enabled()) {
            throw new NotFoundException();
        }
    }
}
