package io.lhttp.cluster;

import io.lhttp.channel.Bus;
import io.lhttp.channel.HistoryConfig;
import io.lhttp.channel.InProcessBus;
import io.lhttp.config.LhttpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** Chooses the bus: NATS when {@code lhttp.nats.url} is set, else the in-process bus. */
@ApplicationScoped
public class BusProducer {

    @Produces
    @ApplicationScoped
    Bus bus(LhttpConfig config, HistoryConfig history, JetStreamConfig jetStream) {
        Bus bus;
        if (config.natsServers().isEmpty()) {
            bus = new InProcessBus(history.history());
        } else {
            NatsBus nats = new NatsBus(
                    config.natsServers(),
                    config.natsSubjectPrefix(),
                    config.instanceName(),
                    config.natsPingInterval(),
                    history.history(),
                    jetStream.jetStream());
            nats.presenceTimeout(config.presenceTimeout());
            bus = nats;
        }
        return bus; // described once, in the start banner (StartBanner)
    }

    /**
     * Creates the bus when the application starts rather than on the first client, so the NATS
     * connection is (being) made before anyone connects and readiness reflects it from the start.
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object started, Bus bus) {
        bus.describe(); // a call on the proxy instantiates the bean
    }

    void close(@Disposes Bus bus) {
        bus.close();
    }
}
