package dev.handover.infra.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What each write changed, in a file next to the store, written before the write is answered: a document's
 * state after the write (none for a removal) and before it. An answered write therefore survives a SIGKILL
 * although the store itself is committed only at a {@link #checkpoint} (once a second), which then drops the
 * records it holds; committing the store for every write cost most of the wire server's time (every commit
 * writes again each B-tree page the write touched, in a dozen indexes). Like the commit it replaces, the file
 * is written, not forced to the disk: it survives the process, not a power loss.
 *
 * <p>Records go to numbered segments ({@code <store>.redo-<n>}); a checkpoint starts the next segment while no
 * write command runs, commits the store, and deletes the segments before it. Whatever segments remain when the
 * process starts are read by {@link #recorded} and applied again ({@link IndexedCollection#recover}): a record
 * sets a document's final state, so applying it twice, or to a store committed in the middle of a write, gives
 * the same result. A record cut short by the kill (its length or checksum does not match) was never answered
 * and ends the reading.
 */
final class RedoLog implements AutoCloseable {

    /** One document's change: {@code after} is {@code null} for a removal, {@code before} for an insertion. */
    record Change(String namespace, Object position, Document before, Document after) {
    }

    private static final String SEGMENT = ".redo-";
    private static final int DIGITS = 19;

    private final Path store;
    private final ReentrantReadWriteLock commands = new ReentrantReadWriteLock();
    private final Object appending = new Object();
    private final Object writing = new Object();
    private final Object checkpointing = new Object();
    private ByteBuf pending = Unpooled.buffer(64 * 1024);
    private FileChannel segment;
    private long number;
    private long written;

    private RedoLog(Path store, long number) throws IOException {
        this.store = store;
        this.number = number;
        this.segment = open(number);
    }

    /** The records the segments next to {@code store} hold, oldest first. */
    static List<Change> recorded(Path store) throws IOException {
        List<Change> changes = new ArrayList<>();
        for (Path segment : segments(store)) {
            ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(segment));
            while (bytes.remaining() >= 8) {
                int length = bytes.getInt();
                int checksum = bytes.getInt();
                if (length <= 0 || length > bytes.remaining()) {
                    break;
                }
                byte[] bson = new byte[length];
                bytes.get(bson);
                CRC32 crc = new CRC32();
                crc.update(bson);
                if ((int) crc.getValue() != checksum) {
                    break;
                }
                Document record = BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
                changes.add(new Change((String) record.get("ns"), record.get("at"), (Document) record.get("before"),
                        (Document) record.get("after")));
            }
        }
        return changes;
    }

    /** A log whose records follow every segment already next to {@code store}, which {@link #dropBefore} removes. */
    static RedoLog open(Path store) throws IOException {
        List<Path> existing = segments(store);
        return new RedoLog(store, existing.isEmpty() ? 1 : numberOf(existing.get(existing.size() - 1)) + 1);
    }

    /** Held while a command runs: a checkpoint starts its segment between commands, never within one. */
    Lock command() {
        return commands.readLock();
    }

    /** Records a change made in memory; {@link #write} makes it durable. */
    void append(String namespace, Object position, Document before, Document after) {
        Document record = new Document("ns", namespace).append("at", position);
        if (before != null) {
            record.append("before", before);
        }
        if (after != null) {
            record.append("after", after);
        }
        ByteBuf bson = Unpooled.buffer(512);
        try {
            BsonEncoder.encodeDocument(record, bson);
            CRC32 crc = new CRC32();
            crc.update(bson.nioBuffer());
            synchronized (appending) {
                pending.writeInt(bson.readableBytes());
                pending.writeInt((int) crc.getValue());
                pending.writeBytes(bson);
            }
        } finally {
            bson.release();
        }
    }

    /**
     * Writes every record appended so far to the segment. Concurrent callers share writes: one writes what all
     * of them appended while the others wait, and a record appended before a call is written when it returns.
     */
    void write() {
        synchronized (writing) {
            ByteBuf batch;
            synchronized (appending) {
                if (pending.readableBytes() == 0) {
                    return;
                }
                batch = pending;
                pending = Unpooled.buffer(64 * 1024);
            }
            try {
                ByteBuffer bytes = batch.nioBuffer();
                while (bytes.hasRemaining()) {
                    written += segment.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } finally {
                batch.release();
            }
        }
    }

    /**
     * Makes the records so far redundant: starts the next segment between write commands, then runs {@code commit}
     * (which must put every change made so far in the store file) and deletes the segments before. Does nothing
     * when nothing was recorded since the last one, unless {@code always}; answers whether it committed.
     */
    boolean checkpoint(Runnable commit, boolean always) throws IOException {
        synchronized (checkpointing) {
            long last;
            Lock exclusive = commands.writeLock();
            exclusive.lock();
            try {
                write();
                if (written == 0 && !always) {
                    return false;
                }
                segment.close();
                last = number;
                number++;
                segment = open(number);
                written = 0;
            } finally {
                exclusive.unlock();
            }
            commit.run();
            dropBefore(last + 1);
            return true;
        }
    }

    /** Runs {@code work} while no command runs. */
    void exclusively(Runnable work) {
        Lock exclusive = commands.writeLock();
        exclusive.lock();
        try {
            work.run();
        } finally {
            exclusive.unlock();
        }
    }

    /** Deletes the segments numbered below {@code first}. */
    void dropBefore(long first) throws IOException {
        for (Path old : segments(store)) {
            if (numberOf(old) < first) {
                Files.delete(old);
            }
        }
    }

    /** The number of the segment records go to now. */
    long current() {
        synchronized (checkpointing) {
            return number;
        }
    }

    @Override
    public void close() throws IOException {
        synchronized (writing) {
            segment.close();
        }
    }

    private FileChannel open(long n) throws IOException {
        return FileChannel.open(store.resolveSibling(store.getFileName() + SEGMENT + String.format("%0" + DIGITS + "d", n)),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static List<Path> segments(Path store) throws IOException {
        Path directory = store.toAbsolutePath().getParent();
        String prefix = store.getFileName() + SEGMENT;
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
    }

    private static long numberOf(Path segment) {
        String name = segment.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf(SEGMENT) + SEGMENT.length()));
    }
}
