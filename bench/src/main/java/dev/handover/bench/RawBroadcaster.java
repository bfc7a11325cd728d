package dev.handover.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * The fan-out's yardstick: the least a broadcaster can do on this box. A Vert.x WebSocket server with as many
 * event loops as the gateway's, which reads a Kafka topic and writes each record's value, as it is, to every
 * connection of the record's key (the company), with nothing else (no authentication, no rendering, no replay, no
 * flow control). The bench runs it in its own JVM, sized like a service, and compares Handover's throughput with
 * it on the same number of connections in the same run.
 *
 * <pre>
 * RawBroadcaster --port 8095 --kafka 127.0.0.1:9092 --topic bench.raw
 * </pre>
 */
public final class RawBroadcaster {

    private static final Map<String, Set<ServerWebSocket>> COMPANIES = new ConcurrentHashMap<>();

    private RawBroadcaster() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = Options.parse(args);
        int port = Integer.parseInt(opts.getOrDefault("port", "8095"));
        Vertx vertx = Vertx.vertx();
        vertx.deployVerticle(() -> new AbstractVerticle() {
            @Override
            public void start(io.vertx.core.Promise<Void> started) {
                vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("0.0.0.0")).webSocketHandler(socket -> {
                    String query = socket.query() == null ? "" : socket.query();
                    String company = query.startsWith("company=") ? query.substring("company=".length()) : "";
                    Set<ServerWebSocket> sockets = COMPANIES.computeIfAbsent(company, c -> ConcurrentHashMap.newKeySet());
                    sockets.add(socket);
                    socket.closeHandler(closed -> sockets.remove(socket));
                    socket.writeTextMessage("{\"type\":\"connected\"}");
                }).listen().<Void>mapEmpty().onComplete(started);
            }
        }, new DeploymentOptions().setInstances(2 * Runtime.getRuntime().availableProcessors()))
                .toCompletionStage().toCompletableFuture().get();
        var props = new java.util.Properties();
        props.put("bootstrap.servers", opts.getOrDefault("kafka", "127.0.0.1:9092"));
        props.put("fetch.max.wait.ms", "5");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            String topic = opts.getOrDefault("topic", "bench.raw");
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            System.out.println("ready " + port);
            System.out.flush();
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    Set<ServerWebSocket> sockets = COMPANIES.get(record.key());
                    if (sockets != null) {
                        String frame = new String(record.value(), StandardCharsets.UTF_8);
                        for (ServerWebSocket socket : sockets) {
                            socket.writeTextMessage(frame);
                        }
                    }
                }
            }
        }
    }
}
