package io.lhttp.channel;

import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Closed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/** A closed connection's publisher ({@link PublishFilter}) lets go of its outstanding acknowledgements. */
@ApplicationScoped
public class ClosedPublishers {

    void closed(@Observes @Closed ClientConnection connection) {
        PublishFilter.closed(connection);
    }
}
