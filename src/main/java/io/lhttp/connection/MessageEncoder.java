package io.lhttp.connection;

import io.lhttp.protocol.Message;
import jakarta.websocket.Encoder;

/**
 * Encodes {@link Message}s as LHTTP frames; a message encodes at most once (see {@link Message#frame()}).
 *
 * <p>Stateless and shared: {@link Connection#send} uses the one {@link #INSTANCE} rather than
 * listing this class in {@code @ServerEndpoint(encoders=...)}, for the same reason that
 * {@link MessageDecoder} is not listed there: the container would create one per connection (Tyrus
 * through CDI, an injection target each), and the send queue needs the frame's text and length at
 * once anyway.
 */
public class MessageEncoder implements Encoder.Text<Message> {

    static final MessageEncoder INSTANCE = new MessageEncoder();

    @Override
    public String encode(Message message) {
        return message.frame();
    }
}
