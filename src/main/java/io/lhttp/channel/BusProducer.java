package io.lhttp.channel;

import io.lhttp.config.LhttpConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import java.util.logging.Logger;

/** Chooses the bus: NATS when {@code lhttp.nats.url} is set, else the in-process bus. */
@ApplicationScoped
public class BusProducer {

    private static final Logger LOG = Logger.getLogger(BusProducer.class.getName());

    @Produces
    @ApplicationScoped
    Bus bus(LhttpConfig config) {
        if (!config.natsUrl().isEmpty()) {
            throw new IllegalStateException(LhttpConfig.NATS_URL + " is set but this build has no NATS bus yet");
        }
        Bus bus = new InProcessBus();
        LOG.info(() -> "lhttp bus: " + bus.describe());
        return bus;
    }

    void close(@Disposes Bus bus) {
        bus.close();
    }
}
