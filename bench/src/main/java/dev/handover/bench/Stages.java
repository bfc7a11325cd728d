package dev.handover.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.handover.events.Topics;

/**
 * Where the time from a webhook to the agent's frame goes: the bench reads {@code messenger.inbound} and
 * {@code customer.events} alongside the services and takes each record's creation time (the producer's clock,
 * this machine's), so each customer's trip splits into the bridge (webhook to its inbound record), customer-service
 * (inbound record to its {@code agent_requested} record, Kafka's delivery included) and the gateway (that record to
 * the frame, Kafka's delivery included). Milliseconds: the record timestamps have no finer grain. It also takes the
 * CPU time each process of the stack (and the bench itself) used while it measured: how busy the box was.
 */
final class Stages implements AutoCloseable {

    private static final Pattern CUSTOMER = Pattern.compile("\"(e2e-[0-9a-z]+-[0-9]+)\"");

    /** Per customer, epoch milliseconds: webhook sent, inbound record, event record, frame received. */
    private final Map<String, long[]> times = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread reader;
    private final Map<String, Long> pids;
    private final Map<String, Long> ticksFrom = new LinkedHashMap<>();
    private long measuredFrom;
    private volatile boolean open = true;

    private Stages(String bootstrap, Map<String, Long> pids) {
        this.pids = pids;
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(Topics.MESSENGER_INBOUND, Topics.CUSTOMER_EVENTS)) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        reader = new Thread(this::read, "stages");
        reader.setDaemon(true);
        reader.start();
    }

    /** Watches the topics on {@code bootstrap}, and the CPU of the processes {@code pids} names. */
    static Stages watch(String bootstrap, Map<String, Long> pids) {
        return new Stages(bootstrap, pids);
    }

    void sent(String customer) {
        long[] at = new long[4];
        at[0] = System.currentTimeMillis();
        times.put(customer, at);
    }

    /** The frame of a customer sent since the last {@link #reset} (a warm-up customer's is not kept). */
    void framed(String customer) {
        long[] at = times.get(customer);
        if (at != null) {
            at[3] = System.currentTimeMillis();
        }
    }

    /** Forgets what was recorded (the warm-up's customers). */
    void reset() {
        times.clear();
        pids.forEach((name, pid) -> ticksFrom.put(name, Options.cpuTicks(pid)));
        measuredFrom = System.nanoTime();
    }

    private void read() {
        while (open) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                String value = new String(record.value(), StandardCharsets.UTF_8);
                boolean inbound = Topics.MESSENGER_INBOUND.equals(record.topic());
                if (!inbound && !value.contains("\"type\":\"agent_requested\"")) {
                    continue;
                }
                Matcher customer = CUSTOMER.matcher(value);
                if (customer.find()) {
                    long[] at = times.get(customer.group(1));
                    if (at != null && at[inbound ? 1 : 2] == 0) {
                        at[inbound ? 1 : 2] = record.timestamp();
                    }
                }
            }
        }
    }

    /** Prints p50 / p99 / max of each stage over the customers seen at every stage. */
    void print() {
        Histogram bridge = new Histogram(3);
        Histogram service = new Histogram(3);
        Histogram gateway = new Histogram(3);
        for (long[] at : times.values()) {
            if (at[0] > 0 && at[1] > 0 && at[2] > 0 && at[3] > 0) {
                bridge.recordValue(Math.max(0, at[1] - at[0]));
                service.recordValue(Math.max(0, at[2] - at[1]));
                gateway.recordValue(Math.max(0, at[3] - at[2]));
            }
        }
        System.out.printf("stages, ms (p50 / p99 / max, n=%d): bridge %s; customer-service %s; gateway %s%n",
                bridge.getTotalCount(), spread(bridge), spread(service), spread(gateway));
        double seconds = (System.nanoTime() - measuredFrom) / 1e9;
        long customers = times.values().stream().filter(at -> at[0] > 0).count();
        StringBuilder cpu = new StringBuilder();
        double cores = 0;
        for (var pid : pids.entrySet()) {
            long ticks = Options.cpuTicks(pid.getValue()) - ticksFrom.getOrDefault(pid.getKey(), 0L);
            cores += ticks / 100.0 / seconds;
            cpu.append(String.format("%s%s %.2f", cpu.isEmpty() ? "" : ", ", pid.getKey(), ticks * 10.0 / Math.max(1, customers)));
        }
        System.out.printf("CPU per new customer, ms: %s (all of them %.2f of %d cores over the %.0f s measured)%n", cpu,
                cores, Runtime.getRuntime().availableProcessors(), seconds);
    }

    private static String spread(Histogram ms) {
        return ms.getValueAtPercentile(50) + " / " + ms.getValueAtPercentile(99) + " / " + ms.getMaxValue();
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        reader.join();
        consumer.close();
    }
}
