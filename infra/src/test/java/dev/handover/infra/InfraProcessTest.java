package dev.handover.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Updates;

import dev.handover.infra.store.DurableH2Backend;

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
    void everyWriteTheH2StoreAcknowledgedSurvivesASigkill() throws Exception {
        int writes = 500;
        double memoryMicros = microsPerWrite(List.of("--data-dir", dir.resolve("memory").toString(), "--mongo", "0"),
                writes, false);
        List<String> h2 = List.of("--data-dir", dir.resolve("h2").toString(), "--mongo", "0", "--mongo-backend", "h2");
        double h2Micros = microsPerWrite(h2, writes, true);
        System.out.printf("acknowledged writes: memory %.0f us each, h2 (redo log written before the answer) %.0f us each"
                + " (x%.1f)%n",
                memoryMicros, h2Micros, h2Micros / memoryMicros);
        InfraProcess again = InfraProcess.start(h2, dir.resolve("again.log"), 60);
        try (MongoClient client = MongoClients.create(again.mongoConnectionString())) {
            var collection = client.getDatabase("durability").getCollection("writes");
            assertEquals(writes, collection.countDocuments(), "acknowledged inserts lost by the SIGKILL");
            assertEquals("changed", collection.find(Filters.eq("_id", 0)).first().getString("v"));
            assertEquals(null, collection.find(Filters.eq("_id", writes - 1)).first().get("gone"));
            assertEquals(writes - 1, collection.countDocuments(Filters.eq("v", "x")), "the index on v after the restart");
            assertEquals(1, collection.countDocuments(Filters.eq("v", "changed")), "the index on v after the restart");
            assertEquals(3, collection.find(Filters.eq("_id", 1)).first().getInteger("n"), "an increment applied twice");
        } finally {
            again.close();
        }
    }

    /** Inserts, updates and unsets through the real driver, then (if asked) SIGKILLs the process at once. */
    private double microsPerWrite(List<String> arguments, int writes, boolean kill) throws Exception {
        InfraProcess infra = InfraProcess.start(arguments, dir.resolve("infra-" + System.nanoTime() + ".log"), 60);
        try (MongoClient client = MongoClients.create(infra.mongoConnectionString())) {
            var collection = client.getDatabase("durability").getCollection("writes");
            collection.insertOne(new Document("_id", -1));
            collection.createIndex(Indexes.ascending("v"));
            long started = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                collection.insertOne(new Document("_id", i).append("v", "x").append("gone", true));
            }
            double micros = (System.nanoTime() - started) / 1_000.0 / writes;
            collection.updateOne(Filters.eq("_id", 0), Updates.set("v", "changed"));
            collection.updateOne(Filters.eq("_id", writes - 1), Updates.unset("gone"));
            collection.deleteOne(Filters.eq("_id", -1));
            for (int i = 0; i < 3; i++) {
                collection.updateOne(Filters.eq("_id", 1), Updates.inc("n", 1));
            }
            if (kill) {
                ProcessHandle process = ProcessHandle.of(infra.pid()).orElseThrow();
                process.destroyForcibly();
                process.onExit().get(30, TimeUnit.SECONDS);
            }
            return micros;
        } finally {
            infra.close();
        }
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
        for (String cache : new String[] {"0", "-4", "four"}) {
            assertThrows(IllegalArgumentException.class,
                    () -> InfraOptions.parse(new String[] {"--data-dir", "x", "--mongo", "0", "--mongo-cache-mb", cache}));
        }
        assertEquals(32, InfraOptions.parse(new String[] {"--data-dir", "x", "--mongo", "0", "--mongo-cache-mb", "32"})
                .mongoCacheMb());
        assertEquals(DurableH2Backend.DEFAULT_PAGE_CACHE_MB,
                InfraOptions.parse(new String[] {"--data-dir", "x", "--mongo", "0"}).mongoCacheMb());
    }
}
