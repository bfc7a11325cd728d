package dev.handover.gateway.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One Socket.IO v5 packet as it travels in an Engine.IO message:
 * {@code <type>[<attachments>-][<namespace>,][<ack id>][<JSON>]}. Parsing refuses what the protocol does not allow
 * (an unknown type, an ack id that is not a number, an event that is not a named array, a CONNECT payload that
 * is not an object), which closes the connection as the reference server does.
 */
record SocketIoPacket(int type, int attachments, String namespace, Long ackId, JsonNode data) {

    static final int CONNECT = 0;
    static final int DISCONNECT = 1;
    static final int EVENT = 2;
    static final int ACK = 3;
    static final int CONNECT_ERROR = 4;
    static final int BINARY_EVENT = 5;
    static final int BINARY_ACK = 6;

    /** Thrown for a packet the protocol does not allow. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static SocketIoPacket parse(String text, ObjectMapper json) throws Invalid {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) > '6') {
            throw new Invalid("unknown packet type");
        }
        int type = text.charAt(0) - '0';
        int i = 1;
        int attachments = 0;
        if (type == BINARY_EVENT || type == BINARY_ACK) {
            int dash = text.indexOf('-', i);
            if (dash < 0) {
                throw new Invalid("binary packet without its attachment count");
            }
            attachments = number(text.substring(i, dash));
            i = dash + 1;
        }
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            namespace = comma < 0 ? text.substring(i) : text.substring(i, comma);
            i = comma < 0 ? text.length() : comma + 1;
        }
        int digits = i;
        while (digits < text.length() && Character.isDigit(text.charAt(digits))) {
            digits++;
        }
        Long ackId = digits > i ? (long) number(text.substring(i, digits)) : null;
        String payload = text.substring(digits);
        JsonNode data = null;
        if (!payload.isEmpty()) {
            try {
                data = json.readTree(payload);
            } catch (java.io.IOException e) {
                throw new Invalid("payload is not JSON");
            }
        }
        switch (type) {
            case CONNECT -> {
                if (data != null && !data.isObject()) {
                    throw new Invalid("CONNECT payload is not an object");
                }
            }
            case EVENT, BINARY_EVENT -> {
                if (data == null || !data.isArray() || data.isEmpty() || !data.get(0).isTextual()) {
                    throw new Invalid("event is not a named array");
                }
            }
            case ACK, BINARY_ACK -> {
                if (ackId == null || data == null || !data.isArray()) {
                    throw new Invalid("acknowledgement without id or arguments");
                }
            }
            case DISCONNECT -> {
                if (data != null) {
                    throw new Invalid("DISCONNECT with a payload");
                }
            }
            default -> throw new Invalid("CONNECT_ERROR from a client");
        }
        return new SocketIoPacket(type, attachments, namespace, ackId, data);
    }

    private static int number(String digits) throws Invalid {
        try {
            int value = Integer.parseInt(digits);
            if (value < 0) {
                throw new Invalid("negative number");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new Invalid("not a number: " + digits);
        }
    }

    /** The namespace as a packet prefix: nothing for the main one, {@code /name,} otherwise. */
    static String prefix(String namespace) {
        return "/".equals(namespace) ? "" : namespace + ",";
    }
}
