package io.lhttp.it.server;

import io.lhttp.channel.ChannelRegistry;
import io.lhttp.connection.Connections;
import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Deployed only with the tests: {@code stats} answers {@code channels=N connections=N
 * subscribers=N} (subscribers of the channel named in header {@code channel}), and
 * {@code attribute} answers the connection's attribute named in the body.
 */
@ApplicationScoped
public class StatsProcessor {

    @Inject
    ChannelRegistry registry;

    @Inject
    Connections connections;

    void stats(@Observes @Command("stats") Exchange ex) {
        String channel = ex.header("channel");
        ex.send("channels=" + registry.channelCount() + " connections=" + connections.count() + " subscribers="
                + (channel == null ? 0 : registry.subscriberCount(channel)));
    }

    void attribute(@Observes @Command("attribute") Exchange ex) {
        ex.send(String.valueOf(ex.attributes().get(ex.body())));
    }
}
