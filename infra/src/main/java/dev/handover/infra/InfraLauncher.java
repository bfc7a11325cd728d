package dev.handover.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import dev.handover.infra.store.DurableH2Backend;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/**
 * Runs a real single-node Kafka broker (KRaft, broker and controller in one) and a MongoDB wire-protocol
 * server on 127.0.0.1 in this JVM, for tests and the local stack. Prints one {@code READY} line on stdout
 * once both serve requests and the topics exist; stops cleanly on SIGTERM or when its stdin closes, so a
 * parent that dies never leaves it running. While it runs, the lines {@code stop kafka|mongo} and
 * {@code start kafka|mongo} on stdin stop and restart a server on the same port (answered {@code KAFKA STOPPED},
 * {@code MONGO STARTED}, ...), for tests of what happens while it is away. The broker keeps its storage; a
 * memory-backed wire server starts empty again.
 *
 * <pre>
 * InfraLauncher --data-dir DIR [--kafka PORT] [--mongo PORT] [--mongo-backend memory|h2]
 *               [--topics name:partitions,...] [--no-stdin-watch]
 * </pre>
 * A port of 0 picks a free one; an option left out leaves that server off.
 */
public final class InfraLauncher {

    private static final String HOST = "127.0.0.1";
    private static final PrintStream OUT = System.out;

    private KafkaRaftServer kafka;
    private Properties kafkaProps;
    private MongoServer mongo;
    private InfraOptions options;
    private int mongoPort;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        InfraOptions options;
        try {
            options = InfraOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("infra: " + e.getMessage());
            System.exit(64);
            return;
        }
        var launcher = new InfraLauncher();
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "infra-shutdown"));
        try {
            launcher.start(options);
        } catch (Exception e) {
            System.err.println("infra: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        if (options.watchStdin()) {
            launcher.watchStdin();
        }
    }

    private void start(InfraOptions options) throws Exception {
        long started = System.nanoTime();
        Map<String, String> ready = new LinkedHashMap<>();
        if (options.mongoPort() != null) {
            ready.put("mongo", startMongo(options));
        }
        if (options.kafkaPort() != null) {
            ready.put("kafka", startKafka(options));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        var line = new StringBuilder("READY");
        ready.forEach((name, address) -> line.append(' ').append(name).append('=').append(address));
        line.append(" startup_ms=").append(millis).append(" pid=").append(ProcessHandle.current().pid());
        OUT.println(line);
        OUT.flush();
    }

    private String startMongo(InfraOptions options) throws IOException {
        this.options = options;
        mongoPort = requireFree(options.mongoPort(), "MongoDB");
        bindMongo();
        return "mongodb://" + HOST + ":" + mongoPort;
    }

    private synchronized void bindMongo() throws IOException {
        MongoBackend backend;
        if ("h2".equals(options.mongoBackend())) {
            Files.createDirectories(options.dataDir());
            backend = new DurableH2Backend(options.dataDir().resolve("mongo.mv").toString(), options.mongoCacheMb());
        } else {
            backend = new DurableH2Backend(null);
        }
        mongo = new MongoServer(backend);
        mongo.bind(HOST, mongoPort);
    }

    private synchronized void stopMongo() {
        if (mongo != null) {
            mongo.shutdownNow();
            mongo = null;
        }
    }

    private String startKafka(InfraOptions options) throws Exception {
        int port = requireFree(options.kafkaPort(), "Kafka");
        int controllerPort = freePortBut(port);
        Path logDir = options.dataDir().resolve("kafka");
        Files.createDirectories(logDir);

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@" + HOST + ":" + controllerPort);
        props.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("group.initial.rebalance.delay.ms", "0");
        // after a SIGKILL the controller waits out the dead broker's session before the new one may register:
        // a short session (one broker, on this machine) brings Kafka back in seconds instead of 9 s more; a heartbeat
        // a second (three to a session) rather than two, as the broker and its controller exchange them all day long
        props.put("broker.session.timeout.ms", "3000");
        props.put("broker.heartbeat.interval.ms", "1000");
        // the controller appends a no-op record to its log every 500 ms by default, all day long; once every
        // 5 s is plenty for a single node and takes a third of the idle broker's CPU away
        props.put("metadata.max.idle.interval.ms", "5000");
        props.put("log.cleaner.dedupe.buffer.size", "8388608");
        // one network thread and one group coordinator thread (default 4) serve the dozen clients of one machine; each
        // thread more wakes every few hundred milliseconds, all day long
        props.put("num.network.threads", "1");
        props.put("group.coordinator.threads", "1");
        props.put("num.io.threads", "2");
        props.put("num.recovery.threads.per.data.dir", "1");
        props.put("auto.create.topics.enable", "true");

        if (!Files.exists(logDir.resolve("meta.properties"))) {
            new Formatter()
                    .setPrintStream(new PrintStream(PrintStream.nullOutputStream()))
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        }
        kafkaProps = props;
        String bootstrap = HOST + ":" + port;
        startBroker();
        awaitBrokerAndTopics(bootstrap, options.topics());
        return bootstrap;
    }

    private synchronized void startBroker() {
        kafka = new KafkaRaftServer(new KafkaConfig(kafkaProps, false), Time.SYSTEM);
        kafka.startup();
    }

    private synchronized void stopBroker() {
        if (kafka != null) {
            kafka.shutdown();
            kafka.awaitShutdown();
            kafka = null;
        }
    }

    private static void awaitBrokerAndTopics(String bootstrap, Map<String, Integer> topics)
            throws InterruptedException, ExecutionException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            admin.describeCluster().nodes().get();
            List<NewTopic> wanted = new ArrayList<>();
            topics.forEach((name, partitions) -> wanted.add(new NewTopic(name, partitions, (short) 1)));
            for (var result : admin.createTopics(wanted).values().values()) {
                try {
                    result.get();
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
            if (!topics.isEmpty()) {
                admin.describeTopics(topics.keySet()).allTopicNames().get();
            }
        }
    }

    private static int requireFree(int port, String what) throws IOException {
        if (port == 0) {
            return freePort();
        }
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(HOST, port));
        } catch (IOException e) {
            throw new IOException(what + " port " + port + " on " + HOST + " is taken", e);
        }
        return port;
    }

    /** A free port other than {@code taken} (a port just closed may be handed out again at once). */
    private static int freePortBut(int taken) throws IOException {
        int port = freePort();
        while (port == taken) {
            port = freePort();
        }
        return port;
    }

    private static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    private void watchStdin() {
        try (var lines = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                control(line.trim());
            }
        } catch (IOException ignored) {
            // a broken pipe means the same as the end of the stream: the parent is gone
        }
        System.exit(0);
    }

    private void control(String command) {
        try {
            switch (command) {
                case "stop kafka" -> {
                    requireKafka();
                    stopBroker();
                    OUT.println("KAFKA STOPPED");
                }
                case "start kafka" -> {
                    requireKafka();
                    if (kafka == null) {
                        startBroker();
                    }
                    OUT.println("KAFKA STARTED");
                }
                case "stop mongo" -> {
                    requireMongo();
                    stopMongo();
                    OUT.println("MONGO STOPPED");
                }
                case "start mongo" -> {
                    requireMongo();
                    if (mongo == null) {
                        bindMongo();
                    }
                    OUT.println("MONGO STARTED");
                }
                default -> OUT.println("ERROR unknown command: " + command);
            }
        } catch (IOException | IllegalStateException e) {
            OUT.println("ERROR " + command + ": " + e.getMessage());
        }
        OUT.flush();
    }

    private void requireKafka() {
        if (kafkaProps == null) {
            throw new IllegalStateException("no broker here");
        }
    }

    private void requireMongo() {
        if (options == null) {
            throw new IllegalStateException("no wire server here");
        }
    }

    private synchronized void stop() {
        stopBroker();
        stopMongo();
    }
}
