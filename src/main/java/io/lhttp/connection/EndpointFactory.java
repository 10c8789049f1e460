package io.lhttp.connection;

import io.lhttp.channel.ChannelRegistry;
import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Opened;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;

/**
 * Makes the endpoint of each new connection with its dependencies resolved once, for the
 * endpoint's configurator ({@link HandshakeConfigurator#getEndpointInstance}).
 * Why: left to the container, every connection's endpoint is built through CDI, and Tyrus
 * (Payara) builds a new Weld injection target for each one and keeps it for the connection's
 * life: ~7 field injection points, reflective fields and bean holders, about 2 KB of heap per
 * idle connection and a share of every open (docs/BENCHMARKS.md).
 *
 * <p>Internal: users never call it.
 */
@ApplicationScoped
public class EndpointFactory {

    @Inject
    LhttpConfig config;

    @Inject
    Connections connections;

    @Inject
    Deadlines deadlines;

    @Inject
    ChannelRegistry registry;

    @Inject
    io.lhttp.processor.Dispatcher dispatcher;

    @Inject
    @Opened
    Event<Connection> opened;

    @Inject
    @Closed
    Event<Connection> closed;

    /** A new endpoint for one connection. */
    public LhttpEndpoint create() {
        LhttpEndpoint e = new LhttpEndpoint();
        e.config = config;
        e.connections = connections;
        e.deadlines = deadlines;
        e.registry = registry;
        e.dispatcher = dispatcher;
        e.opened = opened;
        e.closed = closed;
        return e;
    }
}
