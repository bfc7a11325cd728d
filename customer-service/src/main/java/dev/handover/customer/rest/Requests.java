package dev.handover.customer.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** Request bodies, exactly as the spec writes them (snake_case), plus the profile's camelCase. */
public final class Requests {

    private Requests() {
    }

    /** {@code PUT .../agent}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record AgentName(String pageId, String agentName) {
    }

    /** {@code PUT .../stop}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Stop(String pageId, Boolean stop) {
    }

    /** Bodies that only name the page: toggle, assign, unassign. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PageRef(String pageId) {
    }

    /** {@code POST .../transfer}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Transfer(String pageId, String toAgentId) {
    }

    /** {@code POST .../messages}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Send(String pageId, String message) {
    }

    /** {@code PUT .../profile}: the console's field names. */
    public record Profile(@JsonProperty("page_id") String pageId, String taxCode, String companyName, String notes) {
    }

    /** {@code POST /api/admin/pages}, {@code PUT /api/admin/pages/{id}} and {@code PUT /api/admin/pages/{id}/token}. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record PageBody(String pageId, String pageName, String pageAccessToken, String handoverMode, String botAppId) {
    }
}
