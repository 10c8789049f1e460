package io.lhttp.client;

import io.lhttp.protocol.Batch;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads one socket's whole frames (text, or binary as UTF-8), unpacks batch frames where the
 * socket negotiated them (PROTOCOL.md §7), parses each message and hands it on as what it is: an
 * error frame, a {@code subscribed} answer or a message. Follows the socket's life for the link.
 */
final class Receiver implements WebSocket.Listener {

    private static final Logger LOG = Logger.getLogger(LhttpClient.class.getName());
    /** The server bounds what it sends; the client only refuses absurd frames. */
    private static final MessageParser PARSER = new MessageParser(new Limits(64 << 20, 4096));

    private final Link link;
    private final Listeners listeners;
    private final StringBuilder text = new StringBuilder();
    private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

    Receiver(Link link, Listeners listeners) {
        this.link = link;
        this.listeners = listeners;
    }

    @Override
    public void onOpen(WebSocket ws) {
        link.opened(ws);
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            String frame = text.toString();
            text.setLength(0);
            received(ws, frame);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.writeBytes(bytes);
        if (last) {
            String frame = binary.toString(StandardCharsets.UTF_8);
            binary.reset();
            received(ws, frame);
        }
        ws.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        Listeners.emit(listeners.close, new LhttpClient.Close(code, reason));
        link.closedByServer(ws, code);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        LOG.log(Level.FINE, "lhttp connection failed", error);
        Listeners.emit(listeners.close, new LhttpClient.Close(1006, String.valueOf(error)));
        link.dropped();
    }

    /** A whole frame: one message, or on a socket that negotiated batching possibly a batch frame of several. */
    private void received(WebSocket ws, String frame) {
        if (Batch.isBatch(frame) && Batch.SUBPROTOCOL.equals(ws.getSubprotocol())) {
            List<String> messages;
            try {
                messages = Batch.split(frame);
            } catch (ProtocolException e) {
                Listeners.emit(listeners.error, new LhttpClient.Error(0, e.reason(), null));
                return;
            }
            for (String m : messages) {
                message(m);
            }
        } else {
            message(frame);
        }
    }

    private void message(String frame) {
        Message message;
        try {
            message = PARSER.parse(frame);
        } catch (ProtocolException e) {
            Listeners.emit(listeners.error, new LhttpClient.Error(0, e.reason(), null));
            return;
        }
        if (message.command().equals("error") && message.header("publish") == null) {
            int code;
            try {
                code = Integer.parseInt(String.valueOf(message.header("code")).trim());
            } catch (NumberFormatException e) {
                code = 0;
            }
            String reason = message.header("reason");
            Listeners.emit(listeners.error, new LhttpClient.Error(code, reason == null ? "" : reason, message));
        } else if (message.command().equals("subscribed") && message.header("publish") == null) {
            link.subscribed(message);
        } else {
            link.delivered(message);
            Listeners.emit(listeners.message, message);
        }
    }
}
