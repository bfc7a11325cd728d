package dev.handover.infra;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher as its users see it: a child JVM that becomes ready, refuses a taken port, and goes away. */
class InfraProcessTest {

    @TempDir
    Path dir;

    @Test
    void wireServerStartsAnswersRestartsAndStopsWhenClosed() throws Exception {
        InfraProcess infra = InfraProcess.start(List.of("--data-dir", dir.toString(), "--mongo", "0"),
                dir.resolve("infra.log"), 60);
        String address = infra.mongoConnectionString();
        assertTrue(address.startsWith("mongodb://127.0.0.1:"), address);
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        try (var socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertTrue(socket.isConnected());
        }
        infra.stopMongo();
        assertThrows(IOException.class, () -> new Socket(InetAddress.getByName("127.0.0.1"), port).close());
        infra.startMongo();
        try (var socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
            assertTrue(socket.isConnected());
        }
        assertThrows(IOException.class, infra::stopKafka, "no broker was asked for");
        var handle = ProcessHandle.of(infra.pid()).orElseThrow();
        infra.close();
        handle.onExit().get(30, TimeUnit.SECONDS);
        assertFalse(handle.isAlive());
        assertThrows(IllegalStateException.class, infra::kafkaBootstrapServers);
    }

    @Test
    void theBrokerStopsAndStartsAgainOnItsPort() throws Exception {
        try (InfraProcess infra = InfraProcess.start(List.of("--data-dir", dir.toString(), "--kafka", "0"),
                dir.resolve("infra.log"), 90)) {
            String bootstrap = infra.kafkaBootstrapServers();
            int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
            infra.stopKafka();
            assertThrows(IOException.class, () -> new Socket(InetAddress.getByName("127.0.0.1"), port).close());
            infra.startKafka();
            try (var socket = new Socket(InetAddress.getByName("127.0.0.1"), port)) {
                assertTrue(socket.isConnected());
            }
        }
    }

    @Test
    void aTakenPortIsReportedWithTheLog() throws Exception {
        try (var taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            var failure = assertThrows(IOException.class, () -> InfraProcess.start(List.of("--data-dir",
                    dir.toString(), "--mongo", Integer.toString(taken.getLocalPort())), dir.resolve("infra.log"), 60));
            assertTrue(failure.getMessage().contains("MongoDB port " + taken.getLocalPort() + " on 127.0.0.1 is taken"),
                    failure.getMessage());
            assertTrue(Files.readString(dir.resolve("infra.log")).contains("is taken"));
        }
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> InfraOptions.parse(new String[] {"--kafka", "0"}));
        assertThrows(IllegalArgumentException.class,
                () -> InfraOptions.parse(new String[] {"--data-dir", "x", "--kafka", "70000"}));
        assertThrows(IllegalArgumentException.class,
                () -> InfraOptions.parse(new String[] {"--data-dir", "x", "--mongo", "0", "--mongo-backend", "disk"}));
        assertThrows(IllegalArgumentException.class, () -> InfraOptions.parse(new String[] {"--data-dir", "x"}));
        assertThrows(IllegalArgumentException.class,
                () -> InfraOptions.parse(new String[] {"--data-dir", "x", "--kafka", "0", "--topics", "a"}));
    }
}
