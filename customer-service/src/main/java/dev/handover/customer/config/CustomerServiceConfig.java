package dev.handover.customer.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Settings of customer-service (prefix {@code handover}). */
@ConfigMapping(prefix = "handover")
public interface CustomerServiceConfig {

    /** How a customer asks for a human, or to go back to the bot. */
    Detection detection();

    Outbox outbox();

    Customers customers();

    Sends sends();

    Lifecycle lifecycle();

    Webhooks webhooks();

    Metrics metrics();

    /** The gauges that take a query to count: waiting customers per company bucket, dead-letter records. */
    interface Metrics {
        /**
         * How often they are counted: a read of every waiting customer (their company, since when, until when) and
         * two offset look-ups per dead-letter topic. Alerts on them wait minutes, so once a minute is plenty.
         */
        @WithDefault("60s")
        Duration interval();
    }

    /** Outbound webhooks: how often due deliveries are looked for, how each is tried, and for how long. */
    interface Webhooks {
        /**
         * How often deliveries due are looked for besides when one is due here: what another replica left (killed
         * mid-call, its lease run out) waits at most this long more.
         */
        @WithDefault("10s")
        Duration tick();

        /** A receiver that has not answered within this time has failed this attempt. */
        @WithDefault("10s")
        Duration timeout();

        @WithDefault("1s")
        Duration initialBackoff();

        @WithDefault("5m")
        Duration maxBackoff();

        /** A delivery still failing this long after its event is given up (marked failed), and its stream moves on. */
        @WithDefault("2h")
        Duration giveUpAfter();

        /** Threads sending deliveries at once. */
        @WithDefault("4")
        int threads();
    }

    interface Lifecycle {
        /** How often customers whose response timer or maximum wait ran out are looked for. */
        @WithDefault("5s")
        Duration tick();
    }

    interface Sends {
        /**
         * An agent's message without an outcome from messenger-bridge this long after it was written is failed
         * (whatever kept it: Kafka down, a bridge gone); the bridge never sends one after its own, shorter deadline.
         */
        @WithDefault("105s")
        Duration outcomeTimeout();

        /** How often messages past their timeout are looked for. */
        @WithDefault("10s")
        Duration sweepInterval();
    }

    interface Detection {
        /** Phrases per language (key: ISO code) that ask for a human; matched as whole words, any case. */
        Map<String, List<String>> humanKeywords();

        /** Postback or quick-reply payloads that ask for a human. */
        List<String> humanPayloads();

        /** Phrases per language that ask to go back to the bot. */
        Map<String, List<String>> botKeywords();

        /** Postback or quick-reply payloads that ask to go back to the bot. */
        List<String> botPayloads();
    }

    interface Customers {
        /**
         * Customers whose last write here is remembered (least recently changed forgotten first): a change of one of
         * them needs no read, only the version-checked write.
         */
        @WithDefault("4096")
        int remembered();
    }

    interface Outbox {
        /** How often records that could not be published at once are tried again. */
        @WithDefault("2s")
        Duration retryInterval();

        /** How often every customer is searched for an outbox no process knows about (left by a crash). */
        @WithDefault("10m")
        Duration sweepInterval();

        /**
         * Records one customer's outbox may hold while Kafka does not take them; an agent's change beyond it is
         * refused (503) rather than growing the customer's document without limit.
         */
        @WithDefault("200")
        int maxPending();

        /**
         * How often what outboxes delivered is taken out of them, all at once, with its audit lines: the longer, the
         * fewer database commands per change, and the later the audit log shows it.
         */
        @WithDefault("500ms")
        Duration settleInterval();

        /** Threads delivering outboxes; they wait on Kafka so that request threads never do. */
        @WithDefault("8")
        int threads();
    }
}
