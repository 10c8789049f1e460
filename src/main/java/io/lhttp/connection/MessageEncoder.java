package io.lhttp.connection;

import io.lhttp.protocol.Message;
import jakarta.websocket.Encoder;

/** Encodes {@link Message}s as LHTTP frames; a message encodes at most once (see {@link Message#frame()}). */
public class MessageEncoder implements Encoder.Text<Message> {

    @Override
    public String encode(Message message) {
        return message.frame();
    }
}
