package dev.handover.gateway.service;

import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.handover.events.Spans;
import dev.handover.gateway.client.CustomerServiceClient;
import dev.handover.gateway.client.CustomerServiceClient.Answer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * The JSON protocol's requests, exactly as the spec writes them, carried out by customer-service with the
 * agent's token and answered with the spec's response type, or {@code {"type":"error","error":"..."}}. Each frame is
 * the root span of its trace (through customer-service, Kafka and the bridge to the Send API).
 */
@ApplicationScoped
public class AgentCommands {

    private static final Logger LOG = Logger.getLogger(AgentCommands.class);
    private static final String CUSTOMERS = "/api/dashboard/customers";
    private static final String AGENTS = "/api/dashboard/agents";

    private final CustomerServiceClient customers;
    private final TokenVerifier tokens;
    private final ObjectMapper json;
    private final Spans spans;

    public AgentCommands(CustomerServiceClient customers, TokenVerifier tokens, ObjectMapper json, Spans spans) {
        this.customers = customers;
        this.tokens = tokens;
        this.json = json;
        this.spans = spans;
    }

    /** Answers one frame from an agent; never fails, errors become error frames. */
    public CompletionStage<String> handle(AgentSession session, String frame) {
        if (!spans.on()) {
            return answer(session, frame);
        }
        Span span = spans.start("websocket command", SpanKind.SERVER, Context.root());
        span.setAttribute("handover.company_id", session.companyId());
        span.setAttribute("handover.agent_id", session.agentId());
        try (Scope ignored = span.makeCurrent()) {
            return answer(session, frame).whenComplete((answer, failure) -> span.end());
        }
    }

    private CompletionStage<String> answer(AgentSession session, String frame) {
        JsonNode request;
        try {
            request = json.readTree(frame);
        } catch (java.io.IOException e) {
            return done(error("Invalid JSON"));
        }
        if (request == null || !request.isObject()) {
            return done(error("Invalid JSON: expected an object"));
        }
        JsonNode type = request.get("type");
        if (type == null || !type.isTextual() || type.asText().isBlank()) {
            return done(error("Missing message type"));
        }
        JsonNode data = request.path("data");
        Span.current().setAttribute("handover.command", type.asText());
        try {
            return switch (type.asText()) {
                case "get_stopped_customers" -> stopped(session, data);
                case "assign_agent" -> assignment(session, data, "/assign", "agent_assigned");
                case "unassign_agent" -> assignment(session, data, "/unassign", "agent_unassigned");
                case "transfer_customer" -> transfer(session, data);
                case "send_message" -> send(session, request);
                case "set_status" -> call(customers.put(session.token(), AGENTS + "/me/status",
                        CustomerServiceClient.body("status", required(data, "status"))),
                        answer -> frame("status_updated", answer.body()));
                case "get_agents" -> call(customers.get(session.token(), AGENTS, java.util.Map.of()),
                        answer -> frame("agents", answer.body()));
                case "refresh_token" -> renew(session, data);
                case "ping" -> done(json.createObjectNode().put("type", "pong").put("timestamp", now()).toString());
                default -> done(error("Unknown message type: " + type.asText()));
            };
        } catch (InvalidRequest e) {
            return done(error(e.getMessage()));
        }
    }

    private CompletionStage<String> stopped(AgentSession session, JsonNode data) {
        var query = CustomerServiceClient.body("page_id", optionalText(data, "page_id"),
                "limit", optionalNumber(data, "limit"), "skip", optionalNumber(data, "skip"));
        return call(customers.get(session.token(), CUSTOMERS + "/stopped", query),
                answer -> frame("stopped_customers", answer.body()));
    }

    /** {@code assign_agent} and {@code unassign_agent}: the same request, a different action and answer type. */
    private CompletionStage<String> assignment(AgentSession session, JsonNode data, String action, String answerType) {
        String customerId = required(data, "customer_id");
        String pageId = required(data, "page_id");
        return call(customers.post(session.token(), CUSTOMERS + "/" + CustomerServiceClient.segment(customerId) + action,
                CustomerServiceClient.body("page_id", pageId)), answer -> {
                    ObjectNode body = (ObjectNode) answer.body();
                    mark(body, session);
                    return frame(answerType, body);
                });
    }

    /** {@code transfer_customer}: the customer goes to another agent of the company; answered by {@code customer_transferred}. */
    private CompletionStage<String> transfer(AgentSession session, JsonNode data) {
        String customerId = required(data, "customer_id");
        String pageId = required(data, "page_id");
        String toAgentId = required(data, "to_agent_id");
        return call(customers.post(session.token(), CUSTOMERS + "/" + CustomerServiceClient.segment(customerId) + "/transfer",
                CustomerServiceClient.body("page_id", pageId, "to_agent_id", toAgentId)), answer -> {
                    ObjectNode body = (ObjectNode) answer.body();
                    mark(body, session);
                    return frame("customer_transferred", body);
                });
    }

    private CompletionStage<String> send(AgentSession session, JsonNode request) {
        String customerId = required(request, "customer_id");
        String pageId = required(request, "page_id");
        String message = required(request, "message");
        return call(customers.post(session.token(), CUSTOMERS + "/" + CustomerServiceClient.segment(customerId) + "/messages",
                CustomerServiceClient.body("page_id", pageId, "message", message)), answer -> json.createObjectNode()
                        .put("type", "message_sent").put("customer_id", customerId).put("page_id", pageId)
                        .put("message", message).put("message_id", answer.body().path("message_id").asText(null))
                        .put("timestamp", now()).toString());
    }

    /**
     * {@code refresh_token}: a fresh token of the same agent replaces the connection's current one before it
     * expires, so a console that renews with its identity provider never drops the live connection.
     */
    private CompletionStage<String> renew(AgentSession session, JsonNode data) {
        TokenVerifier.Verified renewed = tokens.renew(session, required(data, "token"));
        if (!renewed.ok()) {
            return done(error(renewed.error()));
        }
        ObjectNode answer = json.createObjectNode();
        Instant expires = session.expiresAt();
        answer.put("expires_at", expires == null ? null : expires.toString());
        return done(frame("token_refreshed", answer));
    }

    /** Adds what depends on the caller to the answer's customer object. */
    private static void mark(ObjectNode body, AgentSession session) {
        if (body.get("customer") instanceof ObjectNode customer) {
            String agentId = customer.path("agent_id").asText(null);
            customer.put("is_assigned", agentId != null);
            customer.put("is_assigned_to_me", session.agentId().equals(agentId));
        }
    }

    private CompletionStage<String> call(CompletionStage<Answer> call, java.util.function.Function<Answer, String> onSuccess) {
        return call.handle((answer, failure) -> {
            if (failure != null) {
                LOG.warnf("customer-service unreachable: %s", failure.toString());
                return error("Customer service unavailable, try again");
            }
            if (answer.status() == 401) {
                return error("Token expired or invalid");
            }
            return answer.ok() && answer.body() != null ? onSuccess.apply(answer) : error(answer.error());
        });
    }

    private String frame(String type, JsonNode data) {
        ObjectNode frame = json.createObjectNode().put("type", type);
        frame.set("data", data);
        frame.put("timestamp", now());
        return frame.toString();
    }

    /** The spec's error frame. */
    public String error(String text) {
        return json.createObjectNode().put("type", "error").put("error", text).toString();
    }

    private static CompletionStage<String> done(String frame) {
        return CompletableFuture.completedFuture(frame);
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static String required(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            throw new InvalidRequest(field + " is required");
        }
        if (!value.isTextual()) {
            throw new InvalidRequest(field + " must be a string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isBlank())) {
            return null;
        }
        if (!value.isTextual()) {
            throw new InvalidRequest(field + " must be a string");
        }
        return value.asText();
    }

    private static Object optionalNumber(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw new InvalidRequest(field + " must be a whole number");
        }
        return value.asLong();
    }

    /** A request that cannot be sent on: its text is the error frame's. */
    private static final class InvalidRequest extends RuntimeException {
        InvalidRequest(String message) {
            super(message, null, false, false);
        }
    }
}
