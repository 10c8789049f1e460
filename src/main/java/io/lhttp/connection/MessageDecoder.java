package io.lhttp.connection;

import io.lhttp.config.LhttpConfig;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.ProtocolException;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.websocket.DecodeException;
import jakarta.websocket.Decoder;
import jakarta.websocket.EndpointConfig;

/**
 * Decodes text frames into {@link Message}s with the configured limits. A frame that is not
 * LHTTP, or is over a limit, fails to decode with a {@link DecodeException} whose cause is the
 * {@link ProtocolException}; the endpoint answers it with an error frame and keeps the
 * connection open.
 *
 * <p>The endpoint calls it itself on each whole frame rather than listing it in
 * {@code @ServerEndpoint(decoders=...)}: a container decoder only ever sees whole messages, so the
 * container would have to buffer a frame whole before our size cap could act (see
 * {@link FrameAssembler}). The container-facing {@code init} stays for anyone who lists it.
 */
public class MessageDecoder implements Decoder.Text<Message> {

    private MessageParser parser;

    /** For containers: the parser comes from the configuration bean in {@link #init}. */
    public MessageDecoder() {}

    /** A decoder with this parser (the endpoint's own, one per connection). */
    MessageDecoder(MessageParser parser) {
        this.parser = parser;
    }

    @Override
    public void init(EndpointConfig endpointConfig) {
        // Decoders are not CDI beans on every server; the configuration bean is.
        parser = CDI.current().select(LhttpConfig.class).get().parser();
    }

    @Override
    public Message decode(String frame) throws DecodeException {
        try {
            return parser.parse(frame);
        } catch (ProtocolException e) {
            throw new DecodeException(frame, e.reason(), e);
        }
    }

    @Override
    public boolean willDecode(String frame) {
        return true; // every text frame is ours; bad ones are answered, not passed over
    }
}
