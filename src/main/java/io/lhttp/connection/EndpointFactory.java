package io.lhttp.connection;

import io.lhttp.channel.ChannelRegistry;
import io.lhttp.channel.Dispatcher;
import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Opened;
import jakarta.annotation.PostConstruct;
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
 * <p>The dependencies are injected here only, and every endpoint shares them as one
 * {@link Dependencies}; an endpoint the container makes itself has this factory injected (one
 * injection point) and takes them from it.
 *
 * <p>Internal: users never call it.
 */
@ApplicationScoped
public class EndpointFactory {

    /** What every endpoint needs, resolved once and shared. */
    record Dependencies(
            LhttpConfig config,
            Connections connections,
            Deadlines deadlines,
            ChannelRegistry registry,
            Dispatcher dispatcher,
            Event<Connection> opened,
            Event<Connection> closed) {}

    @Inject
    LhttpConfig config;

    @Inject
    Connections connections;

    @Inject
    Deadlines deadlines;

    @Inject
    ChannelRegistry registry;

    @Inject
    Dispatcher dispatcher;

    @Inject
    @Opened
    Event<Connection> opened;

    @Inject
    @Closed
    Event<Connection> closed;

    private Dependencies dependencies;

    @PostConstruct
    void resolve() {
        dependencies = new Dependencies(config, connections, deadlines, registry, dispatcher, opened, closed);
    }

    /** A new endpoint for one connection. */
    public LhttpEndpoint create() {
        return new LhttpEndpoint(dependencies);
    }

    /** The shared dependencies (called through the CDI proxy by endpoints the container made). */
    Dependencies dependencies() {
        return dependencies;
    }
}
