package dev.handover.gateway.service;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;
import dev.handover.events.SenderAction;
import dev.handover.events.Spans;
import dev.handover.events.StaffTyping;
import dev.handover.events.Topics;
import dev.handover.gateway.client.CustomerServiceClient;
import dev.handover.gateway.client.CustomerServiceClient.Answer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.Vertx;

/**
 * The staff console's events, under the same rules as the JSON protocol: every command is decided by
 * customer-service with the agent's token, and broadcasts come from the same {@link CompanyChannels}. The
 * console names customers by {@code customerId} alone; their page is looked up in the agent's company. Each event
 * is the root span of its trace.
 */
@ApplicationScoped
public class StaffConsole {

    /** Sends a packet to the agent. */
    public interface Reply {
        void send(String packet);
    }

    /** Answers the event's acknowledgement, when the client asked for one. */
    public interface Ack {
        void send(JsonNode result);
    }

    private static final String CUSTOMERS = "/api/dashboard/customers";
    private static final String AGENTS = "/api/dashboard/agents";
    private static final CompletionStage<Void> DONE = CompletableFuture.completedFuture(null);
    static final long TYPING_DEBOUNCE_MS = 300;

    private final CustomerServiceClient customers;
    private final CompanyChannels channels;
    private final PresenceTracker presence;
    private final MutinyEmitter<OutboundMessage> outbound;
    private final MutinyEmitter<StaffTyping> typingOut;
    private final Vertx vertx;
    private final Spans spans;
    private final Map<String, String> pages = new ConcurrentHashMap<>();
    private final Map<String, Typing> typing = new ConcurrentHashMap<>();

    public StaffConsole(CustomerServiceClient customers, CompanyChannels channels, PresenceTracker presence,
            @Channel("messenger-outbound") MutinyEmitter<OutboundMessage> outbound,
            @Channel("staff-typing-out") MutinyEmitter<StaffTyping> typingOut, Vertx vertx, Spans spans) {
        this.spans = spans;
        this.presence = presence;
        this.customers = customers;
        this.channels = channels;
        this.outbound = outbound;
        this.typingOut = typingOut;
        this.vertx = vertx;
    }

    /**
     * An authenticated agent: joins the company's broadcasts, counts as connected, and learns their status (once
     * customer-service knows of the connection, from the status change it broadcasts).
     */
    public void joined(AgentSession agent) {
        joined(agent, null);
    }

    /**
     * As {@link #joined(AgentSession)}, resuming after {@code lastSeq} (Socket.IO's connection state recovery):
     * whether what came after it was replayed.
     */
    public boolean joined(AgentSession agent, Long lastSeq) {
        CompanyChannels.Join outcome = channels.join(agent, lastSeq);
        presence.connected(agent);
        status(agent);
        return outcome == CompanyChannels.Join.REPLAYED;
    }

    public void leave(AgentSession agent) {
        channels.leave(agent);
        presence.disconnected(agent);
        typing.keySet().removeIf(key -> key.startsWith(agent.id() + ":"));
    }

    /** Tells the agent's consoles here their status and active chats again (their customers changed). */
    public void statusChanged(String companyId, String agentId) {
        for (AgentSession session : presence.sessionsOf(companyId, agentId)) {
            if (session.protocol() == AgentSession.Protocol.SOCKET_IO) {
                status(session);
            }
        }
    }

    public void refuse(String event, String code, String message, Reply reply, Ack ack) {
        reply.send(SocketIoEvents.error(code, message, SocketIoEvents.object().put("event", event)));
        ack.send(failure(code, message));
    }

    /**
     * Carries out one event; the stage completes when it is done. Whatever fails on the way, the agent gets an
     * error event (and a failed acknowledgement) rather than silence.
     */
    public CompletionStage<Void> handle(AgentSession agent, String event, JsonNode payload, Reply reply, Ack ack) {
        Span span = spans.start("socket.io event", SpanKind.SERVER, Context.root());
        if (span.isRecording()) {
            span.setAttribute("handover.event", event);
            span.setAttribute("handover.company_id", agent.companyId());
            span.setAttribute("handover.agent_id", agent.agentId());
        }
        try (Scope ignored = span.makeCurrent()) {
            return dispatch(agent, event, payload, reply, ack).exceptionally(failure -> {
                refuse(event, "UNAVAILABLE", "Customer service unavailable, try again", reply, ack);
                return null;
            }).whenComplete((done, failure) -> span.end());
        }
    }

    private CompletionStage<Void> dispatch(AgentSession agent, String event, JsonNode payload, Reply reply, Ack ack) {
        String staffId = payload.path("staffId").asText(null);
        if (staffId != null && !staffId.equals(agent.agentId())) {
            refuse(event, "FORBIDDEN", "staffId does not match the token", reply, ack);
            return DONE;
        }
        if (event.equals("staff:subscribe")) {
            return subscribe(agent, reply, ack);
        }
        if (event.equals("staff:status")) {
            return chooseStatus(agent, payload, reply, ack);
        }
        if (!event.equals("customer:accept") && !event.equals("customer:end") && !event.equals("customer:history")
                && !event.equals("customer:transfer")
                && !event.equals("message:send") && !event.equals("message:typing")) {
            refuse(event, "UNKNOWN_EVENT", "Unknown event: " + event, reply, ack);
            return DONE;
        }
        JsonNode id = payload.get("customerId");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            refuse(event, "INVALID_PAYLOAD", "customerId is required", reply, ack);
            return DONE;
        }
        String customerId = id.asText();
        ObjectNode context = SocketIoEvents.object().put("event", event).put("customerId", customerId);
        return switch (event) {
            case "customer:accept" -> page(agent, customerId).thenCompose(page -> page.ok()
                    ? customers.post(agent.token(), path(customerId, "/assign"), CustomerServiceClient.body("page_id", page.pageId()))
                    : done(page.answer()))
                    .thenAccept(answer -> answer(answer, context, reply, ack, StaffConsole::withCustomer));
            case "customer:end" -> page(agent, customerId).thenCompose(page -> page.ok()
                    ? customers.put(agent.token(), path(customerId, "/stop"), CustomerServiceClient.body("page_id", page.pageId(), "stop", false))
                    : done(page.answer()))
                    .thenAccept(answer -> answer(answer, context, reply, ack, StaffConsole::withCustomer));
            case "customer:transfer" -> {
                JsonNode to = payload.get("toStaffId");
                if (to == null || !to.isTextual() || to.asText().isBlank()) {
                    refuse(event, "INVALID_PAYLOAD", "toStaffId is required", reply, ack);
                    yield DONE;
                }
                yield page(agent, customerId).thenCompose(page -> page.ok()
                        ? customers.post(agent.token(), path(customerId, "/transfer"),
                                CustomerServiceClient.body("page_id", page.pageId(), "to_agent_id", to.asText()))
                        : done(page.answer()))
                        .thenAccept(answer -> answer(answer, context, reply, ack, StaffConsole::withCustomer));
            }
            case "message:send" -> {
                JsonNode text = payload.get("text");
                if (text == null || !text.isTextual() || text.asText().isBlank()) {
                    refuse(event, "INVALID_PAYLOAD", "text is required", reply, ack);
                    yield DONE;
                }
                yield page(agent, customerId).thenCompose(page -> page.ok()
                        ? customers.post(agent.token(), path(customerId, "/messages"),
                                CustomerServiceClient.body("page_id", page.pageId(), "message", text.asText()))
                        : done(page.answer()))
                        .thenAccept(answer -> answer(answer, context, reply, ack, body -> SocketIoEvents.object()
                                .put("ok", true).put("messageId", body.path("message_id").asText())));
            }
            case "customer:history" -> history(agent, customerId, payload, context, reply, ack);
            default -> page(agent, customerId).thenAccept(page -> {
                if (page.ok()) {
                    typing(agent, customerId, payload.path("isTyping").asBoolean(false), context, reply, ack);
                } else {
                    // a customer of another company (or none): nothing is relayed
                    answer(page.answer(), context, reply, ack, body -> body);
                }
            });
        };
    }

    private CompletionStage<Void> subscribe(AgentSession agent, Reply reply, Ack ack) {
        return customers.get(agent.token(), CUSTOMERS + "/stopped", CustomerServiceClient.body("limit", 200)).thenAccept(answer -> {
            if (!answer.ok()) {
                refuse("staff:subscribe", code(answer), answer.error(), reply, ack);
                return;
            }
            JsonNode list = answer.body().path("customers");
            for (JsonNode customer : list) {
                pages.put(agent.companyId() + ":" + customer.path("customer_id").asText(), customer.path("page_id").asText());
                reply.send(SocketIoEvents.packet("customer:new", SocketIoEvents.object().set("customer",
                        SocketIoEvents.customer(customer))));
            }
            ack.send(SocketIoEvents.object().put("ok", true).put("count", list.size()));
        });
    }

    private CompletionStage<Void> history(AgentSession agent, String customerId, JsonNode payload, ObjectNode context,
            Reply reply, Ack ack) {
        return page(agent, customerId).thenCompose(page -> {
            if (!page.ok()) {
                return done(page.answer()).thenApply(a -> new Answer[] { a, null });
            }
            var query = CustomerServiceClient.body("page_id", page.pageId(), "limit",
                    payload.path("limit").isIntegralNumber() ? payload.get("limit").asInt() : null,
                    "before", payload.path("before").asText(null));
            return customers.get(agent.token(), path(customerId, "/messages"), query)
                    .thenCombine(customers.get(agent.token(), path(customerId, "/profile"),
                            CustomerServiceClient.body("page_id", page.pageId())), (messages, profile) -> new Answer[] { messages, profile });
        }).thenAccept(answers -> {
            Answer messages = answers[0];
            Answer profile = answers[1];
            if (!messages.ok() || profile == null || !profile.ok()) {
                Answer failed = !messages.ok() ? messages : profile;
                refuse("customer:history", code(failed), failed.error(), reply, ack);
                return;
            }
            ArrayNode list = SocketIoEvents.object().putArray("messages");
            JsonNode newestFirst = messages.body().path("messages");
            for (int i = newestFirst.size() - 1; i >= 0; i--) {
                list.add(SocketIoEvents.historyMessage(newestFirst.get(i), customerId));
            }
            ObjectNode response = SocketIoEvents.object().put("customerId", customerId);
            ObjectNode history = response.putObject("history");
            history.set("messages", list);
            history.putObject("userInfo").put("customerId", customerId)
                    .put("taxCode", profile.body().path("taxCode").asText(null))
                    .put("companyName", profile.body().path("companyName").asText(null))
                    .put("notes", profile.body().path("notes").asText(null));
            response.put("hasMore", messages.body().path("has_more").asBoolean())
                    .put("nextCursor", messages.body().path("next_cursor").asText(null));
            reply.send(SocketIoEvents.packet("customer:history:response", response));
            ack.send(response);
        });
    }

    /** Debounced (300 ms, trailing): only the last state of a burst is relayed, and only when it changed. */
    private void typing(AgentSession agent, String customerId, boolean isTyping, ObjectNode context, Reply reply, Ack ack) {
        Typing state = typing.computeIfAbsent(agent.id() + ":" + customerId, key -> new Typing());
        boolean schedule;
        synchronized (state) {
            state.wanted = isTyping;
            schedule = !state.scheduled;
            state.scheduled = true;
        }
        if (schedule) {
            vertx.setTimer(TYPING_DEBOUNCE_MS, timer -> flushTyping(agent, customerId, state, reply));
        }
        ack.send(SocketIoEvents.object().put("ok", true));
    }

    private void flushTyping(AgentSession agent, String customerId, Typing state, Reply reply) {
        boolean now;
        synchronized (state) {
            state.scheduled = false;
            if (state.wanted == state.relayed) {
                return;
            }
            state.relayed = state.wanted;
            now = state.relayed;
        }
        var indicator = new StaffTyping(agent.companyId(), customerId, agent.agentId(), agent.agentName(), agent.id(), now,
                Instant.now());
        typingOut.sendMessage(Message.of(indicator).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(agent.companyId()).build())).subscribe().with(ok -> {
                }, failure -> reply.send(SocketIoEvents.error("UNAVAILABLE", "Typing indicator not relayed",
                        SocketIoEvents.object().put("customerId", customerId))));
        typingToCustomer(agent.token(), agent.companyId(), customerId, now).thenAccept(answer -> {
            if (answer.status() == 503) {
                reply.send(SocketIoEvents.error("UNAVAILABLE", "Typing indicator not delivered",
                        SocketIoEvents.object().put("customerId", customerId)));
            }
        });
    }

    /** Relays an agent's typing (from any gateway) to the company's other staff on this one. */
    public void relayTyping(StaffTyping typing) {
        channels.relay(typing.companyId(), SocketIoEvents.packet("message:typing:update", SocketIoEvents.object()
                .put("customerId", typing.customerId()).put("isCustomer", false).put("isTyping", typing.typing())
                .put("staffId", typing.agentId()).put("staffName", typing.agentName())), typing.sessionId());
    }

    /**
     * Shows or hides the typing indicator in the customer's Messenger, if the customer is the agent's: through
     * {@code messenger.outbound}, like any send. Completes with an answer for the agent: 202 with {@code sent} (false
     * when the customer is not theirs to type to), customer-service's own refusal for a customer they may not see
     * (another company's: 404 or 403), or 503 when it could not go out.
     */
    public CompletionStage<Answer> typingToCustomer(String token, String companyId, String customerId, boolean typing) {
        return customers.get(token, CUSTOMERS + "/lookup/" + CustomerServiceClient.segment(customerId), Map.of())
                .thenCompose(answer -> {
                    if (answer.status() == 403 || answer.status() == 404) {
                        return CompletableFuture.completedFuture(answer);
                    }
                    if (!answer.ok() || !answer.body().path("is_assigned_to_me").asBoolean()) {
                        return CompletableFuture.completedFuture(typingAnswer(answer.ok() ? 202 : 503, false));
                    }
                    String pageId = answer.body().path("page_id").asText();
                    var action = new OutboundMessage(UUID.randomUUID().toString(), OutboundKind.SENDER_ACTION, companyId, pageId,
                            customerId, null, typing ? SenderAction.TYPING_ON : SenderAction.TYPING_OFF, null, Instant.now());
                    return outbound.sendMessage(Message.of(action).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                            .withKey(Topics.conversationKey(pageId, customerId)).build()))
                            .map(ok -> typingAnswer(202, true)).onFailure().recoverWithItem(typingAnswer(503, false))
                            .subscribeAsCompletionStage();
                });
    }

    private static Answer typingAnswer(int status, boolean sent) {
        return new Answer(status, SocketIoEvents.object().put("sent", sent));
    }

    /**
     * {@code staff:status}: without {@code status}, the agent's status is sent again; with {@code "online"} or
     * {@code "away"}, the agent chooses it (for all their connections), and the change comes back as
     * {@code staff:status}.
     */
    private CompletionStage<Void> chooseStatus(AgentSession agent, JsonNode payload, Reply reply, Ack ack) {
        JsonNode status = payload.get("status");
        if (status == null || status.isNull()) {
            status(agent);
            ack.send(SocketIoEvents.object().put("ok", true));
            return DONE;
        }
        return customers.put(agent.token(), AGENTS + "/me/status", CustomerServiceClient.body("status",
                status.isTextual() ? status.asText() : null)).thenAccept(answer -> answer(answer,
                        SocketIoEvents.object().put("event", "staff:status"), reply, ack,
                        body -> SocketIoEvents.object().put("ok", true).set("status", SocketIoEvents.staffStatus(body))));
    }

    /**
     * Sends {@code staff:status} (online, and how many customers the agent holds) as customer-service sees the
     * agent; nothing while it does not know of their connection yet: the status change it broadcasts then tells.
     */
    private void status(AgentSession agent) {
        customers.get(agent.token(), AGENTS + "/me", Map.of()).thenAccept(answer -> {
            if (answer.ok() && !"offline".equals(answer.body().path("status").asText())) {
                agent.send(SocketIoEvents.packet("staff:status", SocketIoEvents.staffStatus(answer.body())));
            }
        });
    }

    /** The customer's page in the agent's company, remembered once known. */
    private CompletionStage<Page> page(AgentSession agent, String customerId) {
        String key = agent.companyId() + ":" + customerId;
        String known = pages.get(key);
        if (known != null) {
            return CompletableFuture.completedFuture(new Page(known, null));
        }
        return customers.get(agent.token(), CUSTOMERS + "/lookup/" + CustomerServiceClient.segment(customerId), Map.of())
                .thenApply(answer -> {
                    if (!answer.ok()) {
                        return new Page(null, answer);
                    }
                    String pageId = answer.body().path("page_id").asText();
                    pages.put(key, pageId);
                    return new Page(pageId, null);
                });
    }

    private void answer(Answer answer, ObjectNode context, Reply reply, Ack ack,
            java.util.function.Function<JsonNode, JsonNode> onSuccess) {
        if (answer.ok() && answer.body() != null) {
            ack.send(onSuccess.apply(answer.body()));
        } else {
            reply.send(SocketIoEvents.error(code(answer), answer.error(), context));
            ack.send(failure(code(answer), answer.error()));
        }
    }

    /** The console's error code for customer-service's answer. */
    static String code(Answer answer) {
        String error = answer.error();
        return switch (answer.status()) {
            case 400 -> "INVALID_PAYLOAD";
            case 401 -> "TOKEN_EXPIRED";
            case 403 -> error.startsWith("You are not assigned") ? "NOT_ASSIGNED" : "ACCESS_DENIED";
            case 404 -> "NOT_FOUND";
            case 409 -> error.startsWith("Customer is already assigned") ? "ALREADY_ASSIGNED"
                    : error.endsWith("active chats") ? "CAPACITY" : "NOT_REQUESTED";
            case 503, 0 -> "UNAVAILABLE";
            default -> "SERVER_ERROR";
        };
    }

    /** A successful answer with the console's customer object of customer-service's answer. */
    private static JsonNode withCustomer(JsonNode body) {
        return SocketIoEvents.object().put("ok", true).set("customer", SocketIoEvents.customer(body.path("customer")));
    }

    private static ObjectNode failure(String code, String message) {
        ObjectNode result = SocketIoEvents.object().put("ok", false);
        result.putObject("error").put("code", code).put("message", message);
        return result;
    }

    private static String path(String customerId, String action) {
        return CUSTOMERS + "/" + CustomerServiceClient.segment(customerId) + action;
    }

    private static CompletionStage<Answer> done(Answer answer) {
        return CompletableFuture.completedFuture(answer);
    }

    /** The page of a customer, or the answer that refused to tell. */
    private record Page(String pageId, Answer answer) {
        boolean ok() {
            return pageId != null;
        }
    }

    /** Typing state of one agent towards one customer. */
    private static final class Typing {
        boolean wanted;
        boolean relayed;
        boolean scheduled;
    }
}
