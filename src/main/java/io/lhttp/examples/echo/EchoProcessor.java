package io.lhttp.examples.echo;

import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The original README's first example: command {@code echo} answers the sender with the body it
 * sent. {@code LHTTP/1.0 echo\r\n\r\nhello} comes back as {@code LHTTP/1.0 echo\r\n\r\nhello}.
 */
@ApplicationScoped
public class EchoProcessor {

    void echo(@Observes @Command("echo") Exchange ex) {
        ex.send(ex.body());
    }
}
