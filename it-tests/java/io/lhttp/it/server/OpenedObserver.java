package io.lhttp.it.server;

import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Opened;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** Deployed only with the tests: marks every connection when it opens. */
@ApplicationScoped
public class OpenedObserver {

    void opened(@Observes @Opened ClientConnection connection) {
        connection.attributes().put("greeted", "yes:" + connection.id());
    }
}
