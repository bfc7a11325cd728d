package dev.handover.infra.store;

import java.nio.ByteBuffer;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;

import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Documents stored as BSON, the form they arrive in. Upstream stores them with Java serialization, which was
 * half the wire server's CPU under load: every commit writes again each page it changed, with every document
 * on it.
 */
final class BsonDocuments extends BasicDataType<Document> {

    static final BsonDocuments INSTANCE = new BsonDocuments();

    /** What a page's split counts per document: documents are a few hundred bytes, measuring each costs an encoding. */
    private static final int ESTIMATED_SIZE = 512;

    private BsonDocuments() {
    }

    @Override
    public int getMemory(Document document) {
        return ESTIMATED_SIZE;
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        ByteBuf bson = Unpooled.buffer(ESTIMATED_SIZE);
        try {
            BsonEncoder.encodeDocument(document, bson);
            buffer.putVarInt(bson.readableBytes());
            buffer.put(bson.nioBuffer());
        } finally {
            bson.release();
        }
    }

    @Override
    public Document read(ByteBuffer buffer) {
        int length = DataUtils.readVarInt(buffer);
        ByteBuffer bson = buffer.slice();
        bson.limit(length);
        buffer.position(buffer.position() + length);
        return BsonDecoder.decodeBson(Unpooled.wrappedBuffer(bson));
    }

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }
}
