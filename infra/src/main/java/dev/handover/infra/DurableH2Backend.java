package dev.handover.infra;

import java.util.Set;

import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * The H2 file backend, but a write is committed to the store file before it is answered: H2's own background
 * commit runs every second, so a process killed in between lost writes the client had been told succeeded. A
 * committed write survives a SIGKILL of the process (the file's pages are in the kernel's cache); surviving a
 * power loss as well would need an fsync per write.
 */
final class DurableH2Backend extends H2Backend {

    /** Commands that change data or its shape. */
    private static final Set<String> WRITES = Set.of("insert", "update", "delete", "findandmodify", "create",
            "createindexes", "drop", "dropdatabase", "dropindexes", "renamecollection");

    DurableH2Backend(String file) {
        super(file);
    }

    @Override
    public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
        Document answer = super.handleCommand(channel, databaseName, command, query);
        if (WRITES.contains(command.toLowerCase(java.util.Locale.ROOT))) {
            commit();
        }
        return answer;
    }
}
