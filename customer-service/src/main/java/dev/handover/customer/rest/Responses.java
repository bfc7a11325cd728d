package dev.handover.customer.rest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.model.MessageAttachment;
import dev.handover.customer.model.Page;
import dev.handover.customer.service.Caller;
import dev.handover.customer.service.QueueService;
import dev.handover.customer.service.TimeAgo;
import dev.handover.events.CustomerSnapshot;

/** Response bodies; the customer object is the one shared record every service and event uses. */
public final class Responses {

    private Responses() {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Customers(List<CustomerSnapshot> customers, Pagination pagination) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Pagination(int page, int limit, long total, long totalPages, boolean hasMore) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Updated(String message, CustomerSnapshot customer) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Toggled(String message, CustomerSnapshot customer, boolean previousStop, boolean currentStop) {
    }

    /**
     * A stopped customer with what the agent's list needs to show and sort; the place in the queue is
     * {@code null} for a customer someone has taken.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record StoppedCustomer(@JsonUnwrapped CustomerSnapshot customer, String timeSinceLastConversation,
            long minutesSinceLastConversation, boolean isAssigned, boolean isAssignedToMe,
            @JsonInclude(JsonInclude.Include.ALWAYS) Integer queuePosition,
            @JsonInclude(JsonInclude.Include.ALWAYS) Long estimatedWaitSeconds) {

        static StoppedCustomer of(Customer c, Caller me, Instant now, QueueService.Place place) {
            Duration waited = Duration.between(c.updatedAt, now);
            return new StoppedCustomer(c.snapshot(), TimeAgo.format(waited), Math.max(0, waited.toMinutes()),
                    c.isAssigned(), me.agentId().equals(c.agentId), place.position(), place.estimatedWaitSeconds());
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Stopped(List<StoppedCustomer> customers, SkipPagination pagination, String pageId) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record SkipPagination(long total, int limit, int skip, boolean hasMore) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Assigned(CustomerSnapshot customer, String agentId, String agentEmail, String agentName) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Unassigned(CustomerSnapshot customer) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Sent(String messageId, String customerId, String pageId, String message, String status,
            long timestamp) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryMessage(String id, String direction, String author, String text,
            List<MessageAttachment> attachments, String mid, String status, String error, String agentId,
            String agentName, String agentEmail, String replyTo, String reaction, Instant editedAt, Boolean standby,
            Instant createdAt) {

        static HistoryMessage of(Message m) {
            return new HistoryMessage(m.id, m.direction, m.author, m.text, m.attachments, m.mid, m.status, m.error,
                    m.agentId, m.agentName, m.agentEmail, m.replyTo, m.reaction, m.editedAt, m.standby, m.createdAt);
        }
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record History(List<HistoryMessage> messages, String nextCursor, boolean hasMore) {
    }

    /** The console's customer info, in its own camelCase. */
    public record Profile(String taxCode, String companyName, String notes) {
    }

    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PageView(String pageId, String pageName, String companyId, String handoverMode, String botAppId) {
        static PageView of(Page page) {
            return new PageView(page.pageId, page.pageName, page.companyId, page.mode(), page.botAppId);
        }
    }
}
