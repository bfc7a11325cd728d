package dev.handover.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * {@code ./handover status} is something scripts can wait on: it exits 0 only when every part runs, Kafka and the
 * wire server accept connections and every service answers its readiness probe. The parts are this test's own process (alive) and small HTTP servers
 * answering {@code /q/health/ready} as a ready or an unready service would. {@code ./handover restart NAME}
 * replaces one part and returns once it is ready.
 */
class HandoverStatusTest {

    private static final List<String> SERVICES = List.of("customer-service", "realtime-gateway", "messenger-bridge");

    @TempDir
    Path home;
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(server -> server.stop(0));
    }

    @Test
    void nothingRunningIsNotReady() throws Exception {
        Result result = status(Map.of());
        assertEquals(1, result.exit, result.output);
        assertEquals(4, result.output.lines().filter(line -> line.endsWith("stopped")).count(), result.output);
    }

    @Test
    void aServiceThatIsNotReadyYetMakesTheWholeNotReady() throws Exception {
        running("infra");
        Map<String, String> ports = new java.util.HashMap<>();
        for (String service : SERVICES) {
            running(service);
            ports.put(variable(service), Integer.toString(serve(!service.equals("messenger-bridge"))));
        }
        Result result = status(ports);
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains("messenger-bridge  starting or unhealthy"), result.output);
    }

    @Test
    void anInfrastructureProcessThatAcceptsNoConnectionsIsNotReady() throws Exception {
        running("infra");
        Map<String, String> ports = new java.util.HashMap<>();
        ports.put("HANDOVER_KAFKA_PORT", Integer.toString(serve(true)));
        ports.put("HANDOVER_MONGO_PORT", Integer.toString(dev.handover.testing.ServiceProcess.freePort()));
        for (String service : SERVICES) {
            running(service);
            ports.put(variable(service), Integer.toString(serve(true)));
        }
        Result result = status(ports);
        assertEquals(1, result.exit, result.output);
        assertTrue(result.output.contains("infra             starting or unhealthy"), result.output);
    }

    @Test
    void everyPartReadyExitsZero() throws Exception {
        running("infra");
        Map<String, String> ports = new java.util.HashMap<>();
        // Kafka and the wire server are ready when they accept connections
        ports.put("HANDOVER_KAFKA_PORT", Integer.toString(serve(true)));
        ports.put("HANDOVER_MONGO_PORT", Integer.toString(serve(true)));
        for (String service : SERVICES) {
            running(service);
            ports.put(variable(service), Integer.toString(serve(true)));
        }
        Result result = status(ports);
        assertEquals(0, result.exit, result.output);
        assertEquals(4, result.output.lines().filter(line -> line.contains(" ready ")).count(), result.output);
    }

    @Test
    void restartReplacesOnePartAndReturnsOnceItIsReady() throws Exception {
        // the part runs as a stand-in process; restart stops it and starts the real customer-service in its place,
        // on the shared test broker and wire server
        Process standIn = new ProcessBuilder("sleep", "600").start();
        Files.createDirectories(home.resolve("pids"));
        Files.writeString(home.resolve("pids").resolve("customer-service.pid"), Long.toString(standIn.pid()));
        Files.createDirectories(home.resolve("jwt"));
        Files.copy(dev.handover.testing.ServiceProcess.publicKeyFile(), home.resolve("jwt").resolve("public.pem"));
        Files.writeString(home.resolve("token-key"), dev.handover.testing.TestInfrastructure.TEST_TOKEN_KEY);
        var infra = dev.handover.testing.TestInfrastructure.infrastructure();
        int port = dev.handover.testing.ServiceProcess.freePort();
        Map<String, String> env = Map.of("HANDOVER_CUSTOMER_SERVICE_PORT", Integer.toString(port),
                "HANDOVER_KAFKA_PORT", infra.kafkaBootstrapServers().replaceAll(".*:", ""),
                "HANDOVER_MONGO_PORT", infra.mongoConnectionString().replaceAll(".*:", ""),
                // its own consumer groups: the other tests' customer-service keeps its partitions
                "MP_MESSAGING_INCOMING_MESSENGER_INBOUND_GROUP_ID", "restart-test-inbound",
                "MP_MESSAGING_INCOMING_MESSENGER_DELIVERY_GROUP_ID", "restart-test-delivery");
        try {
            Result restarted = run(env, "restart", "customer-service");
            assertEquals(0, restarted.exit, restarted.output);
            assertTrue(restarted.output.contains("customer-service restarted and ready in"), restarted.output);
            assertTrue(standIn.waitFor(5, TimeUnit.SECONDS), "the old process still runs");
            assertTrue(run(env, "status").output.contains("customer-service  ready"), "status after the restart");
        } finally {
            long pid = Long.parseLong(Files.readString(home.resolve("pids").resolve("customer-service.pid")).trim());
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            standIn.destroyForcibly();
        }
        Result unknown = run(Map.of(), "restart", "kafka-only");
        assertEquals(1, unknown.exit, unknown.output);
        assertTrue(unknown.output.contains("no part named 'kafka-only'"), unknown.output);
    }

    /** The part's pid file names a live process: this test's JVM. */
    private void running(String part) throws IOException {
        Files.createDirectories(home.resolve("pids"));
        Files.writeString(home.resolve("pids").resolve(part + ".pid"), Long.toString(ProcessHandle.current().pid()));
    }

    private int serve(boolean ready) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/q/health/ready", exchange -> {
            exchange.sendResponseHeaders(ready ? 200 : 503, -1);
            exchange.close();
        });
        server.start();
        servers.add(server);
        return server.getAddress().getPort();
    }

    private static String variable(String service) {
        return switch (service) {
            case "customer-service" -> "HANDOVER_CUSTOMER_SERVICE_PORT";
            case "realtime-gateway" -> "HANDOVER_GATEWAY_PORT";
            default -> "HANDOVER_BRIDGE_PORT";
        };
    }

    private Result status(Map<String, String> env) throws Exception {
        return run(env, "status");
    }

    private Result run(Map<String, String> env, String... arguments) throws Exception {
        Path handover = Path.of(System.getProperty("test.project.root"), "handover");
        List<String> command = new ArrayList<>(List.of("/bin/bash", handover.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("HANDOVER_HOME", home.toString());
        builder.environment().putAll(env);
        Process process = builder.start();
        assertTrue(process.waitFor(150, TimeUnit.SECONDS), "./handover " + String.join(" ", arguments) + " did not finish");
        return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes()));
    }

    private record Result(int exit, String output) {
    }
}
