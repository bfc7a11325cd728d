package dev.handover.testing;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One of our services, packaged, running in a JVM of its own against the test infrastructure: for tests that
 * need another service than the one under test, or several instances of it. Stopped when closed or when the
 * test JVM exits.
 */
public final class ServiceProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final int port;
    private final Path log;

    private ServiceProcess(String name, Process process, int port, Path log) {
        this.name = name;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code module}'s {@code target/quarkus-app/quarkus-run.jar} (under the project root that the build
     * passes as {@code test.project.root}) with {@code env} on a free port and waits until it is ready.
     */
    public static ServiceProcess start(String module, Map<String, String> env, Path log) throws IOException {
        return start(module, env, List.of(), log);
    }

    /** As {@link #start(String, Map, Path)}, with extra JVM options (system properties such as map keys). */
    public static ServiceProcess start(String module, Map<String, String> env, List<String> jvmOptions, Path log)
            throws IOException {
        return start(module, env, jvmOptions, log, freePort());
    }

    /** As {@link #start(String, Map, List, Path)}, on {@code port} (a process restarted where its clients expect it). */
    public static ServiceProcess start(String module, Map<String, String> env, List<String> jvmOptions, Path log, int port)
            throws IOException {
        Path jar = root().resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: package " + module + " first (./mvnw package -pl "
                    + module + " -DskipTests), or run ./mvnw verify from the root");
        }
        List<String> command = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        var service = new ServiceProcess(module, process, port, log);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "stop-" + module));
        service.awaitReady(Duration.ofSeconds(90));
        return service;
    }

    /** The project root, as the build passes it. */
    public static Path root() {
        String root = System.getProperty("test.project.root");
        return root == null ? Paths.get("..").toAbsolutePath().normalize() : Paths.get(root);
    }

    /** SIGKILL: the process gets no chance to clean up, as when a node dies. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where the service's output (its log) goes. */
    public Path log() {
        return log;
    }

    public int port() {
        return port;
    }

    private void awaitReady(Duration timeout) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(URI.create(url() + "/q/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + name, e);
            }
        }
        close();
        throw new IOException(name + " not ready within " + timeout.toSeconds() + " s; see " + log);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The test key that verifies {@link TestTokens}, as a file a packaged service can read. */
    public static Path publicKeyFile() throws IOException {
        Path file = Path.of("target", "infra", "jwt-public.pem").toAbsolutePath();
        Files.createDirectories(file.getParent());
        try (InputStream in = ServiceProcess.class.getResourceAsStream("/handover-test/jwt-public.pem")) {
            Files.write(file, in.readAllBytes());
        }
        return file;
    }

    /** A port nobody listens on now, on the loopback address. */
    public static int freePort() throws IOException {
        try (var socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
