package dev.handover.customer.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;

import org.jboss.logging.Logger;

import dev.handover.customer.model.Customer;
import dev.handover.customer.model.Message;
import dev.handover.customer.model.MessageAttachment;
import dev.handover.customer.model.MessageStatus;
import dev.handover.customer.model.Page;
import dev.handover.customer.model.PendingRecord;
import dev.handover.customer.repository.CustomerRepository;
import dev.handover.customer.repository.CustomerRepository.Decision;
import dev.handover.customer.repository.MessageRepository;
import dev.handover.events.ChatMessage;
import dev.handover.events.CustomerEventType;
import dev.handover.events.DeliveryReport;
import dev.handover.events.DeliveryStatus;
import dev.handover.events.InboundEvent;
import dev.handover.events.MessageAuthor;

/**
 * What customers do, as messenger-bridge reports it: messages and postbacks update the customer and the
 * history and may ask for a human or for the bot; echoes, deliveries and reads move the history on. Every
 * record may arrive twice: the customer remembers recent {@code mid}s and messages are keyed by them.
 */
@ApplicationScoped
public class InboundService {

    private static final Logger LOG = Logger.getLogger(InboundService.class);
    private static final int REMEMBERED_MIDS = 200;

    private final CustomerRepository customers;
    private final PageService pages;
    /** Meta's Page Inbox (Business Suite): echoes from it were written by a person. */
    static final long PAGE_INBOX_APP_ID = 263902037430900L;

    private final MessageRepository messages;
    private final MessageStatuses statuses;
    private final IntentDetector intents;
    private final CustomerService rules;
    private final SettingsService settings;
    private final Event<CustomerChanged> changed;
    private final Clock clock;

    public InboundService(CustomerRepository customers, PageService pages, MessageRepository messages,
            MessageStatuses statuses, IntentDetector intents, CustomerService rules,
            SettingsService settings, Event<CustomerChanged> changed, Clock clock) {
        this.settings = settings;
        this.statuses = statuses;
        this.customers = customers;
        this.pages = pages;
        this.messages = messages;
        this.intents = intents;
        this.rules = rules;
        this.changed = changed;
        this.clock = clock;
    }

    public void handle(InboundEvent event) {
        if (event.pageId() == null || event.customerId() == null || event.kind() == null) {
            LOG.warnf("Ignoring inbound record %s without page, customer or kind", event.eventId());
            return;
        }
        Page page = pages.recent(event.pageId());
        if (page == null) {
            LOG.warnf("Ignoring inbound record %s for unregistered page %s", event.eventId(), event.pageId());
            return;
        }
        Instant at = event.timestamp() != null ? event.timestamp() : clock.instant();
        switch (event.kind()) {
            case MESSAGE, POSTBACK -> {
                fromCustomer(page, event, at);
                referral(page, event, at);
            }
            case ECHO -> echo(page, event, at);
            case EDIT -> {
                if (!messages.edit(event.mid(), event.customerId(), event.text(), at)) {
                    notStoredYet(page, event);
                }
            }
            case REACTION -> {
                if (!messages.react(event.mid(), page.pageId, event.customerId(), event.reaction(), at)) {
                    notStoredYet(page, event);
                }
            }
            case REFERRAL -> referral(page, event, at);
            case HANDOVER -> threadControl(page, event, at);
            case DELIVERY -> {
                if (event.watermark() != null) {
                    statuses.broadcast(page.pageId, event.customerId(), messages.advance(page.pageId, event.customerId(),
                            event.watermark(), MessageStatus.DELIVERED, List.of(MessageStatus.QUEUED, MessageStatus.SENT),
                            clock.instant()), MessageStatus.DELIVERED, null, null);
                }
            }
            case READ -> {
                if (event.watermark() != null) {
                    statuses.broadcast(page.pageId, event.customerId(), messages.advance(page.pageId, event.customerId(),
                            event.watermark(), MessageStatus.READ,
                            List.of(MessageStatus.QUEUED, MessageStatus.SENT, MessageStatus.DELIVERED), clock.instant()),
                            MessageStatus.READ, null, null);
                }
            }
        }
    }

    /** The outcome of one of our sends. */
    public void delivery(DeliveryReport report) {
        if (report.messageId() == null || report.status() == null) {
            LOG.warnf("Ignoring delivery report without message id or status: %s", report);
            return;
        }
        Instant at = report.at() != null ? report.at() : clock.instant();
        if (report.status() == DeliveryStatus.SENT) {
            if (messages.markSent(report.messageId(), report.facebookMessageId(), at)) {
                statuses.broadcast(report.pageId(), report.customerId(), List.of(report.messageId()), MessageStatus.SENT, null, null);
            }
        } else {
            String error = report.error() == null ? "failed" : report.error();
            error = report.errorCode() == null ? error : "(#" + report.errorCode() + ") " + error;
            if (messages.markFailed(report.messageId(), error, at)) {
                statuses.broadcast(report.pageId(), report.customerId(), List.of(report.messageId()), MessageStatus.FAILED, error,
                        report.errorCode());
            }
        }
    }

    private void fromCustomer(Page page, InboundEvent event, Instant at) {
        String messageId = event.mid() != null ? event.mid() : event.eventId();
        String text = text(event);
        // what the customer says while the bot owns the conversation is the bot's to answer
        IntentDetector.Intent intent = event.inStandby() ? IntentDetector.Intent.NONE : intents.of(event);
        Message message = new Message();
        message.id = messageId;
        message.companyId = page.companyId;
        message.pageId = page.pageId;
        message.customerId = event.customerId();
        message.direction = Message.INBOUND;
        message.author = "customer";
        message.text = text;
        message.attachments = event.attachments() == null ? null
                : event.attachments().stream().map(a -> new MessageAttachment(a.type(), a.url(), a.title(), a.latitude(),
                        a.longitude())).toList();
        message.mid = event.mid();
        message.replyTo = event.replyToMid();
        message.status = MessageStatus.RECEIVED;
        message.standby = event.inStandby() ? Boolean.TRUE : null;
        message.createdAt = at;
        message.updatedAt = at;
        String key = Customer.key(page.pageId, event.customerId());
        boolean stored = customers.change(key, () -> newCustomer(page, event.customerId(), at), c -> {
            if (c.recentMids.contains(messageId)) {
                return new Decision.Keep<>(false);
            }
            remember(c, messageId);
            Instant now = clock.instant();
            if (event.firstName() != null || event.lastName() != null) {
                c.named(event.firstName(), event.lastName());
            }
            c.pageName = page.pageName;
            c.messageCount++;
            c.lastMessage = text;
            c.lastSeen = c.lastSeen == null || at.isAfter(c.lastSeen) ? at : c.lastSeen;
            c.lastCustomerMessageAt = c.lastSeen;
            if (c.isAssigned() && c.awaitingReplySince == null) {
                c.awaitingReplySince = now;
            }
            c.updatedAt = now;
            // kept in the history by the outbox, before the event that tells agents about it
            Outbox.message(c, message);
            var chat = new ChatMessage(messageId, event.mid(), event.customerId(), page.pageId, text,
                    MessageAuthor.CUSTOMER, null, event.attachments() == null || event.attachments().isEmpty() ? null
                            : event.attachments());
            Outbox.event(c, CustomerEventType.NEW_MESSAGE, now, null, null, null, chat);
            if (intent == IntentDetector.Intent.HUMAN && !c.stop) {
                int first = c.pending.size();
                QueueService.Place place = rules.applyStop(c, true, null, Reason.CUSTOMER_ASKED);
                // the spec's order: agent_requested, then customer_stop_status_changed (both show the bot stopped)
                Outbox.agentRequested(first, c, now, chat, place);
            } else if (intent == IntentDetector.Intent.BOT && c.stop) {
                rules.applyStop(c, false, null, Reason.CUSTOMER_ASKED_BOT);
            }
            Lifecycle.schedule(c, settings.recent(c.companyId));
            return new Decision.Write<>(true);
        });
        if (stored) {
            changed.fire(new CustomerChanged(key));
        }
    }

    /**
     * The page's bot passed a conversation to Handover (the customer joins the queue, {@code bot_passed}), took it
     * back ({@code bot_took_back}: the customer goes back to the bot, their agent released), or asked for it back
     * ({@code bot_requested}: granted while nobody has taken the customer, else the agent keeps them). Only for pages
     * in {@code protocol} mode; a redelivered event changes nothing.
     */
    private void threadControl(Page page, InboundEvent event, Instant at) {
        if (!page.usesProtocol() || event.handover() == null) {
            LOG.debugf("Ignoring thread control event %s on page %s (not in protocol mode)", event.eventId(), page.pageId);
            return;
        }
        boolean toBot = page.botAppId.equals(event.newOwnerAppId());
        String key = Customer.key(page.pageId, event.customerId());
        boolean stored = customers.change(key, () -> newCustomer(page, event.customerId(), at), c -> {
            if (c.recentMids.contains(event.eventId())) {
                return new Decision.Keep<>(false);
            }
            Instant now = clock.instant();
            switch (event.handover()) {
                case "pass_thread_control" -> {
                    if (toBot || c.stop) {
                        return new Decision.Keep<>(false);
                    }
                    int first = c.pending.size();
                    QueueService.Place place = rules.applyStop(c, true, Outbox.BOT, Reason.BOT_PASSED);
                    Outbox.agentRequested(first, c, now, null, place);
                }
                case "take_thread_control" -> {
                    if (!toBot || !c.stop) {
                        return new Decision.Keep<>(false);
                    }
                    rules.applyStop(c, false, Outbox.BOT, Reason.BOT_TOOK_BACK);
                }
                case "request_thread_control" -> {
                    if (!c.stop || c.isAssigned()) {
                        LOG.infof("The bot of page %s asked for %s, who stays with Handover", page.pageId, event.customerId());
                        return new Decision.Keep<>(false);
                    }
                    rules.applyStop(c, false, Outbox.BOT, Reason.BOT_REQUESTED);
                }
                default -> {
                    return new Decision.Keep<>(false);
                }
            }
            remember(c, event.eventId());
            c.updatedAt = now;
            Lifecycle.schedule(c, settings.recent(c.companyId));
            return new Decision.Write<>(true);
        });
        if (stored) {
            changed.fire(new CustomerChanged(key));
        }
    }

    /** Where the customer came from (a link, an ad, a code), kept on the customer with when it happened. */
    private void referral(Page page, InboundEvent event, Instant at) {
        if (event.referralRef() == null && event.referralSource() == null) {
            return;
        }
        customers.change(Customer.key(page.pageId, event.customerId()), null, c -> {
            if (c == null) {
                return new Decision.Keep<>(null);
            }
            c.referralRef = event.referralRef();
            c.referralSource = event.referralSource();
            c.referredAt = at;
            return new Decision.Write<>(null);
        });
    }

    /** A message the page sent: ours (recognised by metadata) confirms a send; any other joins the history. */
    private void echo(Page page, InboundEvent event, Instant at) {
        Message ours = event.metadata() == null ? null : messages.findById(event.metadata());
        if (ours != null) {
            // usually the send's own report came first: then the echo has nothing to add
            boolean known = ours.mid != null && !MessageStatus.QUEUED.equals(ours.status)
                    && !MessageStatus.FAILED.equals(ours.status);
            if (!known && messages.markSent(event.metadata(), event.mid(), clock.instant())) {
                statuses.broadcast(page.pageId, event.customerId(), List.of(event.metadata()), MessageStatus.SENT, null, null);
            }
            return;
        }
        // a person answering in Meta's Page Inbox is a human, not the bot
        MessageAuthor author = Long.valueOf(PAGE_INBOX_APP_ID).equals(event.appId()) ? MessageAuthor.HUMAN : MessageAuthor.BOT;
        if (event.mid() == null) {
            return;
        }
        Message message = new Message();
        message.id = event.mid();
        message.companyId = page.companyId;
        message.pageId = page.pageId;
        message.customerId = event.customerId();
        message.direction = Message.OUTBOUND;
        message.author = author == MessageAuthor.HUMAN ? "human" : "bot";
        message.text = text(event);
        message.mid = event.mid();
        message.standby = event.inStandby() ? Boolean.TRUE : null;
        message.status = MessageStatus.SENT;
        message.createdAt = at;
        message.updatedAt = at;
        String key = Customer.key(page.pageId, event.customerId());
        boolean stored = customers.change(key, null, c -> {
            if (c == null || c.recentMids.contains(event.mid())) {
                return new Decision.Keep<>(false);
            }
            remember(c, event.mid());
            Outbox.message(c, message);
            Outbox.event(c, CustomerEventType.NEW_MESSAGE, clock.instant(), null, null, null, new ChatMessage(
                    event.mid(), event.mid(), page.pageId, event.customerId(), text(event), author, null));
            return new Decision.Write<>(true);
        });
        if (!stored) {
            LOG.debugf("Ignoring echo %s to unknown customer %s, or told before", event.mid(), key);
            return;
        }
        changed.fire(new CustomerChanged(key));
    }

    /**
     * An edit or a reaction found no message: one still in its customer's outbox (its delivery a few milliseconds
     * away) fails this attempt, for the consumer to try again shortly; any other is unknown and ignored.
     */
    private void notStoredYet(Page page, InboundEvent event) {
        Customer customer = customers.findById(Customer.key(page.pageId, event.customerId()));
        if (customer != null && customer.pending.stream().anyMatch(r -> PendingRecord.MESSAGES.equals(r.target)
                && r.recordId.equals(event.mid()))) {
            throw new IllegalStateException("message " + event.mid() + " is not in the history yet");
        }
        LOG.debugf("Ignoring %s of unknown message %s", event.kind(), event.mid());
    }

    private Customer newCustomer(Page page, String customerId, Instant at) {
        Customer c = new Customer();
        c.id = Customer.key(page.pageId, customerId);
        c.customerId = customerId;
        c.pageId = page.pageId;
        c.pageName = page.pageName;
        c.companyId = page.companyId;
        c.firstSeen = at;
        c.createdAt = clock.instant();
        c.updatedAt = c.createdAt;
        return c;
    }

    private static void remember(Customer c, String mid) {
        c.recentMids.add(mid);
        if (c.recentMids.size() > REMEMBERED_MIDS) {
            c.recentMids.subList(0, c.recentMids.size() - REMEMBERED_MIDS).clear();
        }
    }

    private static String text(InboundEvent event) {
        if (event.text() != null) {
            return event.text();
        }
        if (event.postbackTitle() != null) {
            return event.postbackTitle();
        }
        if (event.attachments() != null && !event.attachments().isEmpty()) {
            return "[" + String.join(", ", event.attachments().stream().map(a -> a.type()).toList()) + "]";
        }
        return "";
    }
}
