package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import com.mongodb.MongoException;

import dev.handover.customer.config.CustomerServiceConfig;
import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.model.MessageStatus;
import dev.handover.customer.model.Page;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.events.AgentRef;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEventType;
import dev.handover.events.MessageAuthor;
import dev.handover.events.OutboundKind;
import dev.handover.events.OutboundMessage;

/**
 * The rules agents act under: stop status, assignment, sending, profile. Every operation is scoped to the
 * caller's company through the page; every change is one atomic write that carries its events.
 */
@ApplicationScoped
public class CustomerService {

    /** Messenger's limit for a text message. */
    public static final int MAX_TEXT = 2000;
    private static final int MAX_PROFILE_FIELD = 5000;

    private static final Logger LOG = Logger.getLogger(CustomerService.class);

    private final CustomerRepository customers;
    private final PageService pageService;
    private final MessageRepository messages;
    private final CustomerServiceConfig config;
    private final Event<CustomerChanged> changed;
    private final CustomerMetrics metrics;
    private final SettingsService settings;
    private final AgentDirectory agents;
    private final QueueService queue;
    private final Clock clock;

    public CustomerService(CustomerRepository customers, MessageRepository messages,
            CustomerServiceConfig config, Event<CustomerChanged> changed,
            CustomerMetrics metrics, SettingsService settings, AgentDirectory agents, QueueService queue, PageService pageService,
            Clock clock) {
        this.pageService = pageService;
        this.queue = queue;
        this.settings = settings;
        this.agents = agents;
        this.config = config;
        this.customers = customers;
        this.messages = messages;
        this.changed = changed;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** A page of customers and how many there are in all. */
    public record Slice(List<Customer> customers, long total) {
    }

    public Slice list(Caller caller, String pageId, int skip, int limit) {
        if (pageId != null) {
            page(caller, pageId);
        }
        return new Slice(customers.list(caller.companyId(), pageId, skip, limit), customers.count(caller.companyId(), pageId));
    }

    public Slice stopped(Caller caller, String pageId, int skip, int limit) {
        if (pageId != null) {
            page(caller, pageId);
        }
        return new Slice(customers.stopped(caller.companyId(), pageId, skip, limit),
                customers.countStopped(caller.companyId(), pageId));
    }

    public Customer get(Caller caller, String customerId, String pageId) {
        page(caller, pageId);
        return customers.find(caller.companyId(), pageId, customerId).orElseThrow(ApiException::customerNotFound);
    }

    /**
     * The company's customers whose name has a word starting with {@code query} (at least 2 characters), most
     * recently seen first.
     */
    public List<Customer> search(Caller caller, String query, int limit) {
        List<String> words = Customer.searchWords(query);
        if (words.isEmpty() || words.get(0).length() < 2) {
            throw ApiException.badRequest("q must have at least 2 letters");
        }
        List<Customer> found = new java.util.ArrayList<>(customers.named(caller.companyId(), words.get(0), 200));
        // further words narrow it down: every one must start a word of the name
        found.removeIf(c -> !words.stream().allMatch(w -> c.nameWords.stream().anyMatch(n -> n.startsWith(w))));
        found.sort(java.util.Comparator.comparing((Customer c) -> c.lastSeen == null ? java.time.Instant.EPOCH : c.lastSeen)
                .reversed());
        return found.subList(0, Math.min(limit, found.size()));
    }

    /** A customer of the caller's company by Facebook id alone (the staff console names customers that way). */
    public Customer lookup(Caller caller, String customerId) {
        return customers.findByCustomerId(caller.companyId(), customerId).orElseThrow(ApiException::customerNotFound);
    }

    public Customer updateAgentName(Caller caller, String customerId, String pageId, String agentName) {
        if (agentName == null || agentName.isBlank()) {
            throw ApiException.badRequest("agent_name is required");
        }
        return change(caller, customerId, pageId, c -> {
            Instant now = clock.instant();
            Map<String, Object> before = Map.of("agent_name", String.valueOf(c.agentName));
            c.agentName = agentName.trim();
            c.updatedAt = now;
            Outbox.audit(c, "agent_name_updated", caller.agent(), before, Map.of("agent_name", c.agentName), null, now);
            return c;
        });
    }

    /**
     * Sets the stop status. Handing a customer back to the bot also releases their agent; only that agent
     * (or an admin) may do it while the customer is assigned.
     */
    public Customer setStop(Caller caller, String customerId, String pageId, boolean stop) {
        return change(caller, customerId, pageId, c -> {
            if (c.stop == stop) {
                return null;
            }
            if (!stop && c.isAssigned() && !c.agentId.equals(caller.agentId()) && !caller.admin()) {
                throw ApiException.alreadyAssigned(c.agentEmail);
            }
            applyStop(c, stop, caller.agent(), stop ? Reason.SET_BY_AGENT : Reason.BACK_TO_BOT);
            return c;
        });
    }

    /** The result of a toggle: the stop status before, and the customer after. */
    public record Toggle(boolean previousStop, Customer customer) {
    }

    public Toggle toggleStop(Caller caller, String customerId, String pageId) {
        Customer before = get(caller, customerId, pageId);
        Customer after = setStop(caller, customerId, pageId, !before.stop);
        return new Toggle(!after.stop, after);
    }

    /** Takes a waiting customer; a database failure is the spec's "Failed to assign agent". */
    public Customer assign(Caller caller, String customerId, String pageId) {
        try {
            Instant before = clock.instant();
            Customer taken = takeOver(caller, customerId, pageId);
            if (taken.assignedAt != null && !taken.assignedAt.isBefore(before)) {
                metrics.assigned(taken.stoppedAt, taken.assignedAt);
            }
            return taken;
        } catch (MongoException e) {
            LOG.warnf("Assigning %s:%s to %s failed: %s", pageId, customerId, caller.agentId(), e.getMessage());
            throw ApiException.assignFailed();
        }
    }

    private Customer takeOver(Caller caller, String customerId, String pageId) {
        int limit = settings.recent(caller.companyId()).maxActiveChats;
        return change(caller, customerId, pageId, c -> {
            if (!c.stop) {
                throw ApiException.notRequested();
            }
            if (c.isAssigned()) {
                if (c.agentId.equals(caller.agentId())) {
                    return null;
                }
                throw ApiException.alreadyAssigned(c.agentEmail);
            }
            checkCapacity(caller.companyId(), caller.agentId(), limit, () -> ApiException.atCapacity(limit));
            assign(c, caller.agent(), caller.agent(), Reason.TAKEN);
            return c;
        });
    }

    /** An admin sends an assigned customer back to the queue, whatever became of their agent. */
    public Customer releaseByAdmin(Caller admin, String customerId, String pageId) {
        requireAdmin(admin);
        return change(admin, customerId, pageId, c -> {
            if (!c.isAssigned()) {
                throw ApiException.notAssignedToAnyone();
            }
            release(c, admin.agent(), Reason.RELEASED_BY_ADMIN, true);
            return c;
        });
    }

    /**
     * Hands a customer who asked for a human to another agent of the company: by their agent, or by an admin
     * (also a waiting customer nobody took). The target's capacity counts as if they took the customer.
     */
    public Customer transfer(Caller caller, String customerId, String pageId, String toAgentId) {
        if (toAgentId == null || toAgentId.isBlank()) {
            throw ApiException.badRequest("to_agent_id is required");
        }
        page(caller, pageId);
        AgentRef target = agents.find(caller.companyId(), toAgentId)
                .orElseThrow(() -> ApiException.badRequest("to_agent_id is not an agent of this company"));
        int limit = settings.recent(caller.companyId()).maxActiveChats;
        return change(caller, customerId, pageId, c -> {
            if (!c.stop) {
                throw ApiException.notRequested();
            }
            if (!caller.admin() && !caller.agentId().equals(c.agentId)) {
                throw ApiException.notAssigned();
            }
            if (toAgentId.equals(c.agentId)) {
                return null;
            }
            checkCapacity(caller.companyId(), toAgentId, limit,
                    () -> new ApiException(409, target.name() + " has reached the limit of " + limit + " active chats"));
            assign(c, target, caller.agent(), Reason.TRANSFERRED);
            return c;
        });
    }

    private static void requireAdmin(Caller caller) {
        if (!caller.admin()) {
            throw ApiException.adminsOnly();
        }
    }

    public Customer unassign(Caller caller, String customerId, String pageId) {
        return change(caller, customerId, pageId, c -> {
            if (!caller.agentId().equals(c.agentId)) {
                throw ApiException.notAssigned();
            }
            release(c, caller.agent(), Reason.RELEASED, true);
            return c;
        });
    }

    /**
     * Queues a text for the customer. Only the assigned agent may send; an unassigned waiting customer is
     * assigned to the sender first, in the same write.
     */
    public Message send(Caller caller, String customerId, String pageId, String text) {
        if (text == null || text.isBlank()) {
            throw ApiException.badRequest("message is required");
        }
        if (text.length() > MAX_TEXT) {
            throw ApiException.badRequest("message is longer than " + MAX_TEXT + " characters");
        }
        Page page = page(caller, pageId);
        Instant now = clock.instant();
        Message message = new Message();
        message.id = UUID.randomUUID().toString();
        message.companyId = page.companyId;
        message.pageId = pageId;
        message.customerId = customerId;
        message.direction = Message.OUTBOUND;
        message.author = "agent";
        message.agentId = caller.agentId();
        message.agentName = caller.name();
        message.agentEmail = caller.email();
        message.text = text;
        message.status = MessageStatus.QUEUED;
        message.sendDueAt = now.plus(config.sends().outcomeTimeout());
        message.createdAt = now;
        message.updatedAt = now;
        // stored first, with the deadline of its outcome, so that a delivery report can never arrive before its message
        messages.insertOnce(message);
        // the request time this message is the first answer to, as decided by the write that won
        Instant[] firstResponse = new Instant[1];
        int limit = settings.recent(caller.companyId()).maxActiveChats;
        try {
            changeOfCheckedPage(caller, customerId, pageId, c -> {
                if (!c.stop) {
                    throw ApiException.notRequested();
                }
                if (c.isAssigned() && !c.agentId.equals(caller.agentId())) {
                    throw ApiException.alreadyAssigned(c.agentEmail);
                }
                if (!c.isAssigned()) {
                    checkCapacity(caller.companyId(), caller.agentId(), limit, () -> ApiException.atCapacity(limit));
                    assign(c, caller.agent(), caller.agent(), Reason.AUTO_ASSIGNED);
                }
                firstResponse[0] = c.firstResponseAt == null ? c.stoppedAt : null;
                if (c.firstResponseAt == null) {
                    c.firstResponseAt = now;
                }
                c.awaitingReplySince = null;
                c.updatedAt = now;
                Outbox.send(c, new OutboundMessage(message.id, OutboundKind.TEXT, c.companyId, pageId, customerId, text, null,
                        c.lastCustomerMessageAt, now));
                Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, new ChatMessage(message.id, null,
                        pageId, customerId, text, MessageAuthor.AGENT, caller.agent()));
                if (c.agentAnsweredAt == null) {
                    // the agent's first response to this customer since taking them, what reports count
                    c.agentAnsweredAt = now;
                    Outbox.audit(c, "message_sent", caller.agent(), null, Map.of("message_id", message.id), null, now);
                }
                return c;
            });
        } catch (RuntimeException e) {
            messages.deleteById(message.id);
            throw e;
        }
        if (firstResponse[0] != null) {
            metrics.firstResponse(firstResponse[0], now);
        }
        return message;
    }

    /** The profile an agent keeps about a customer; {@code null} fields are left as they are. */
    public Customer updateProfile(Caller caller, String customerId, String pageId, String taxCode, String companyName,
            String notes) {
        for (String field : new String[] { taxCode, companyName, notes }) {
            if (field != null && field.length() > MAX_PROFILE_FIELD) {
                throw ApiException.badRequest("profile fields are limited to " + MAX_PROFILE_FIELD + " characters");
            }
        }
        return change(caller, customerId, pageId, c -> {
            Instant now = clock.instant();
            Map<String, Object> before = profile(c);
            c.taxCode = taxCode != null ? taxCode : c.taxCode;
            c.companyName = companyName != null ? companyName : c.companyName;
            c.notes = notes != null ? notes : c.notes;
            c.updatedAt = now;
            Outbox.audit(c, "profile_updated", caller.agent(), before, profile(c), null, now);
            return c;
        });
    }

    private static Map<String, Object> profile(Customer c) {
        var fields = new java.util.LinkedHashMap<String, Object>();
        fields.put("tax_code", c.taxCode);
        fields.put("company_name", c.companyName);
        fields.put("notes", c.notes);
        return fields;
    }

    /**
     * Refuses a new customer to an agent who already handles {@code limit} (0 = no limit). Counted before the
     * write: two claims of the same agent in the same instant can both pass, a one-chat overshoot at worst.
     */
    private void checkCapacity(String companyId, String agentId, int limit, Supplier<ApiException> refusal) {
        if (limit > 0 && customers.activeChats(companyId, agentId) >= limit) {
            throw refusal.get();
        }
    }

    /**
     * A text Handover itself sends the customer (a company's notice), added to the customer's outbox (kept in the
     * history, sent and broadcast like an agent's) by the write that stores the change.
     */
    void notice(Customer c, String text, Instant now) {
        Message message = new Message();
        message.id = UUID.randomUUID().toString();
        message.companyId = c.companyId;
        message.pageId = c.pageId;
        message.customerId = c.customerId;
        message.direction = Message.OUTBOUND;
        message.author = "system";
        message.text = text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
        message.status = MessageStatus.QUEUED;
        message.sendDueAt = now.plus(config.sends().outcomeTimeout());
        message.createdAt = now;
        message.updatedAt = now;
        Outbox.message(c, message);
        Outbox.send(c, new OutboundMessage(message.id, OutboundKind.TEXT, c.companyId, c.pageId, c.customerId, message.text,
                null, c.lastCustomerMessageAt, now));
        Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, new ChatMessage(message.id, null, c.pageId,
                c.customerId, message.text, MessageAuthor.SYSTEM, null));
    }

    /**
     * On a page in {@code protocol} mode, the thread-control call a stop change needs, queued in the conversation's
     * order (so before anything said after it): Handover takes the conversation when a human is wanted, and passes
     * it back to the bot when the bot is wanted again, with the reason as the note; not when the bot itself passed
     * or took it.
     */
    private void threadControl(Customer c, boolean stop, Reason reason, Instant now) {
        if (reason == Reason.BOT_PASSED || reason == Reason.BOT_TOOK_BACK) {
            return;
        }
        Page page = pageService.recent(c.pageId);
        if (page == null || !page.usesProtocol()) {
            return;
        }
        Outbox.send(c, new OutboundMessage(UUID.randomUUID().toString(),
                stop ? OutboundKind.TAKE_THREAD_CONTROL : OutboundKind.PASS_THREAD_CONTROL, c.companyId, c.pageId,
                c.customerId, null, null, c.lastCustomerMessageAt, now, stop ? null : page.botAppId, "handover:" + reason.code));
    }

    /**
     * Tells a customer who has just joined the queue where they stand ({@code queue_message}) or, when none of
     * the company's agents is online, that nobody is there ({@code no_agent_message}); nothing when the company
     * set no such text. {@code {position}} is their place, {@code {minutes}} the estimated wait in whole minutes
     * ("a few" when unknown).
     */
    private void toldQueued(Customer c, QueueService.Place place, Instant now) {
        var s = settings.recent(c.companyId);
        if (s.queueMessage.isBlank() && s.noAgentMessage.isBlank()) {
            return;
        }
        String template = agents.anyoneOnline(c.companyId) ? s.queueMessage : s.noAgentMessage;
        if (template.isBlank()) {
            return;
        }
        Long seconds = place.estimatedWaitSeconds();
        notice(c, template.replace("{position}", place.position() == null ? "" : place.position().toString())
                .replace("{minutes}", seconds == null ? "a few" : Long.toString(Math.max(1, (seconds + 59) / 60))), now);
    }

    /** The page if the caller's company owns it ({@link PageService#owned}). */
    public Page page(Caller caller, String pageId) {
        return pageService.owned(caller, pageId);
    }

    /**
     * Runs {@code decide} on the caller's customer until it is stored; {@code decide} returns the customer to
     * write, or {@code null} when nothing needs to change.
     */
    private Customer change(Caller caller, String customerId, String pageId,
            java.util.function.UnaryOperator<Customer> decide) {
        page(caller, pageId);
        return changeOfCheckedPage(caller, customerId, pageId, decide);
    }

    /** As {@link #change}, for a caller whose page was checked already in this request. */
    private Customer changeOfCheckedPage(Caller caller, String customerId, String pageId,
            java.util.function.UnaryOperator<Customer> decide) {
        String key = Customer.key(pageId, customerId);
        Customer result = customers.change(key, null, c -> {
            if (c == null || !caller.companyId().equals(c.companyId)) {
                throw ApiException.customerNotFound();
            }
            Customer decided = decide.apply(c);
            if (decided != null && decided.pending.size() > config.outbox().maxPending()) {
                throw ApiException.backlogged();
            }
            if (decided != null) {
                Lifecycle.schedule(decided, settings.recent(decided.companyId));
            }
            return decided == null ? new Decision.Keep<>(c) : new Decision.Write<>(decided);
        });
        if (result.hasPending) {
            changed.fire(new CustomerChanged(key));
        }
        return result;
    }

    /** Gives the customer to {@code agent}; in a transfer the broadcast names the agent they had. */
    void assign(Customer c, AgentRef agent, AgentRef actor, Reason reason) {
        Instant now = clock.instant();
        Map<String, Object> before = Outbox.assignment(c);
        AgentRef previous = c.isAssigned() ? new AgentRef(c.agentId, c.agentName, c.agentEmail) : null;
        c.agentId = agent.id();
        c.agentName = agent.name();
        c.agentEmail = agent.email();
        c.assignedAt = now;
        c.agentAnsweredAt = null;
        c.awaitingReplySince = now;
        c.updatedAt = now;
        Outbox.assignmentChanged(c, now, agent, "assigned", reason, previous);
        Outbox.audit(c, "assigned", actor, before, Outbox.assignment(c), reason.text, now);
    }

    /** Takes the customer from their agent: back to the queue ({@code toQueue}, told where they stand), or on to the bot. */
    void release(Customer c, AgentRef actor, Reason reason, boolean toQueue) {
        Instant now = clock.instant();
        Map<String, Object> before = Outbox.assignment(c);
        AgentRef released = new AgentRef(c.agentId, c.agentName, c.agentEmail);
        c.agentId = null;
        c.agentName = null;
        c.agentEmail = null;
        c.assignedAt = null;
        c.agentAnsweredAt = null;
        c.awaitingReplySince = null;
        c.queuedAt = now;
        c.updatedAt = now;
        QueueService.Place place = toQueue ? queue.of(c) : QueueService.Place.NONE;
        Outbox.assignmentChanged(c, now, released, "unassigned", reason, null, place);
        Outbox.audit(c, "unassigned", actor, before, Outbox.assignment(c), reason.text, now);
        if (toQueue) {
            toldQueued(c, place, now);
        }
    }

    /**
     * Sets the stop status with its events; going back to the bot releases the agent first. A customer who
     * asks for a human joins the queue: the place they got, for the caller's {@code agent_requested}.
     */
    QueueService.Place applyStop(Customer c, boolean stop, AgentRef actor, Reason reason) {
        Instant now = clock.instant();
        if (!stop && c.isAssigned()) {
            release(c, actor, reason, false);
        }
        Map<String, Object> before = Map.of("stop", c.stop);
        c.stop = stop;
        c.stoppedAt = stop ? now : null;
        c.queuedAt = c.stoppedAt;
        c.awaitingReplySince = null;
        c.firstResponseAt = null;
        c.updatedAt = now;
        Outbox.stopChanged(c, now, stop, reason);
        Outbox.audit(c, "stop_changed", actor, before, Map.of("stop", stop), reason.text, now);
        threadControl(c, stop, reason, now);
        if (!stop) {
            return QueueService.Place.NONE;
        }
        QueueService.Place place = queue.of(c);
        toldQueued(c, place, now);
        return place;
    }
}
