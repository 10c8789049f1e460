package io.lhttp.it.server;

import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;

/** A user's processor, deployed only with the tests: changes the response before it is published. */
@ApplicationScoped
public class ShoutProcessor {

    void shout(@Observes @Command("shout") Exchange ex) {
        ex.responseCommand("shouted").addHeader("volume", "loud");
        ex.send(ex.body().toUpperCase(Locale.ROOT));
    }
}
