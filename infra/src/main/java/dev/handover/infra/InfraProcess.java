package dev.handover.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts {@link InfraLauncher} in a JVM of its own and waits for its {@code READY} line: the broker's ~60
 * jars never meet a Quarkus classpath. Uses nothing but the JDK, so any test or tool can depend on this
 * jar with every transitive dependency excluded. Closing it (or the death of this JVM) stops the child.
 */
public final class InfraProcess implements AutoCloseable {

    static final String CLASSPATH_RESOURCE = "/META-INF/handover/infra.classpath";
    private static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError");

    private final Process process;
    private final BlockingQueue<String> replies;
    private final Map<String, String> ready;
    private final long startupMillis;

    private InfraProcess(Process process, BlockingQueue<String> replies, Map<String, String> ready,
            long startupMillis) {
        this.process = process;
        this.replies = replies;
        this.ready = ready;
        this.startupMillis = startupMillis;
    }

    /**
     * Spawns the launcher with {@code arguments} (see {@link InfraLauncher}), writing its output to {@code log},
     * and returns once it is ready.
     */
    public static InfraProcess start(List<String> arguments, Path log, long timeoutSeconds) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-cp");
        command.add(launcherClasspath());
        command.add(InfraLauncher.class.getName());
        command.addAll(arguments);

        Files.createDirectories(log.toAbsolutePath().getParent());
        long spawned = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        CompletableFuture<String> readyLine = new CompletableFuture<>();
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> pump(process.getInputStream(), log, readyLine, replies), "infra-stdout");
        pump.setDaemon(true);
        pump.start();
        try {
            String line = readyLine.get(timeoutSeconds, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - spawned);
            var infra = new InfraProcess(process, replies, parse(line), millis);
            Runtime.getRuntime().addShutdownHook(new Thread(infra::close, "infra-stop"));
            return infra;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting infrastructure", e);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IOException("infrastructure did not start within " + timeoutSeconds + " s; see " + log
                    + "\n" + tail(log), e);
        }
    }

    /** The broker's {@code bootstrap.servers}. */
    public String kafkaBootstrapServers() {
        return required("kafka");
    }

    /** The wire server's connection string. */
    public String mongoConnectionString() {
        return required("mongo");
    }

    /** From spawning the JVM to the {@code READY} line. */
    public long startupMillis() {
        return startupMillis;
    }

    public long pid() {
        return process.pid();
    }

    /** Resident memory of the child JVM in KiB, from {@code /proc}; -1 where that is not available. */
    public long residentKib() {
        return procStatus("VmRSS:");
    }

    /** Peak resident memory of the child JVM in KiB, from {@code /proc}; -1 where that is not available. */
    public long peakResidentKib() {
        return procStatus("VmHWM:");
    }

    private long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Stops the broker, keeping its port and storage, and returns once it is down. */
    public synchronized void stopKafka() throws IOException {
        control("stop kafka", "KAFKA STOPPED");
    }

    /** Starts the broker again after {@link #stopKafka()}, on the same port and storage. */
    public synchronized void startKafka() throws IOException {
        control("start kafka", "KAFKA STARTED");
    }

    /** Stops the wire server (a memory backend loses its data) and returns once it is down. */
    public synchronized void stopMongo() throws IOException {
        control("stop mongo", "MONGO STOPPED");
    }

    /** Starts the wire server again after {@link #stopMongo()}, on the same port. */
    public synchronized void startMongo() throws IOException {
        control("start mongo", "MONGO STARTED");
    }

    private void control(String command, String expected) throws IOException {
        replies.clear();
        var stdin = process.getOutputStream();
        stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
        try {
            String reply = replies.poll(60, TimeUnit.SECONDS);
            if (!expected.equals(reply)) {
                throw new IOException(command + ": " + (reply == null ? "no answer within 60 s" : reply));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during " + command, e);
        }
    }

    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String required(String name) {
        String value = ready.get(name);
        if (value == null) {
            throw new IllegalStateException(name + " was not started");
        }
        return value;
    }

    private static Map<String, String> parse(String readyLine) {
        Map<String, String> values = new HashMap<>();
        for (String token : readyLine.split(" ")) {
            int eq = token.indexOf('=');
            if (eq > 0) {
                values.put(token.substring(0, eq), token.substring(eq + 1));
            }
        }
        return values;
    }

    private static void pump(InputStream stdout, Path log, CompletableFuture<String> readyLine,
            BlockingQueue<String> replies) {
        try (var reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
                Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND)) {
            String line;
            while ((line = reader.readLine()) != null) {
                out.write(line);
                out.write('\n');
                out.flush();
                if (line.startsWith("READY ")) {
                    readyLine.complete(line);
                } else if (line.startsWith("KAFKA ") || line.startsWith("MONGO ") || line.startsWith("ERROR ")) {
                    replies.add(line);
                }
            }
            readyLine.completeExceptionally(new IOException("infrastructure exited before it was ready"));
        } catch (IOException e) {
            readyLine.completeExceptionally(e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /** The launcher's own classes (jar or directory) followed by its dependencies, as the build wrote them. */
    static String launcherClasspath() {
        URL resource = InfraProcess.class.getResource(CLASSPATH_RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing: build the infra module first");
        }
        try (InputStream in = resource.openStream()) {
            String dependencies = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return ownLocation(resource) + java.io.File.pathSeparator + dependencies;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String ownLocation(URL resource) {
        String url = resource.toString();
        try {
            if (url.startsWith("jar:")) {
                String jar = url.substring("jar:".length(), url.indexOf("!/"));
                return Paths.get(new java.net.URI(jar)).toString();
            }
            Path file = Paths.get(resource.toURI());
            // .../classes/META-INF/handover/infra.classpath -> .../classes
            return file.getParent().getParent().getParent().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot locate the infra classes from " + url, e);
        }
    }
}
