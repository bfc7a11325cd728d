package dev.handover.customer.service;

/**
 * Why a customer's assignment or stop status, or an agent's status, changed: the code agents receive in the broadcast
 * ({@code reason}) and the words the audit log keeps.
 */
public enum Reason {
    TAKEN("taken", "taken by agent"),
    AUTO_ASSIGNED("auto_assigned", "auto-assigned by sending a message"),
    RELEASED("released", "released to the queue by agent"),
    TRANSFERRED("transferred", "transferred to another agent"),
    RELEASED_BY_ADMIN("released_by_admin", "released to the queue by an admin"),
    SET_BY_AGENT("set_by_agent", "set by agent"),
    BACK_TO_BOT("back_to_bot", "handed back to the bot by agent"),
    CUSTOMER_ASKED("customer_asked", "customer asked for a human"),
    CUSTOMER_ASKED_BOT("customer_asked_bot", "customer asked for the bot"),
    NO_RESPONSE("no_response", "the agent did not answer in time"),
    MAX_WAIT("max_wait", "waited longer than the company's maximum"),
    BOT_PASSED("bot_passed", "the page's bot passed the conversation to Handover"),
    BOT_TOOK_BACK("bot_took_back", "the page's bot took the conversation back"),
    BOT_REQUESTED("bot_requested", "the page's bot asked for the conversation while nobody had taken it"),
    AGENT_OFFLINE("agent_offline", "the agent was offline longer than the company's grace"),
    CONNECTED("connected", "the agent connected"),
    DISCONNECTED("disconnected", "the agent's last connection closed"),
    GATEWAY_LOST("gateway_lost", "the agent's gateway stopped reporting");

    public final String code;
    public final String text;

    Reason(String code, String text) {
        this.code = code;
        this.text = text;
    }
}
