package io.lhttp.channel;

import io.lhttp.processor.ChannelPermissions;
import io.lhttp.processor.ClientConnection;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks every {@link ChannelPermissions} bean about the channels of one message, for the
 * subscribe and publish filters. The beans are looked up once; with authentication off and no
 * bean of the user's, nothing is asked at all (the original's behaviour, at no cost).
 */
@ApplicationScoped
public class Permissions {

    @Inject
    @Any
    Instance<ChannelPermissions> beans;

    private List<ChannelPermissions> deciders;

    @PostConstruct
    void resolve() {
        List<ChannelPermissions> list = new ArrayList<>();
        for (ChannelPermissions p : beans) {
            if (!p.permitsAll()) {
                list.add(p);
            }
        }
        deciders = List.copyOf(list);
    }

    /**
     * Checks every channel before anything happens.
     *
     * @throws ProtocolException 403 naming the first channel refused
     */
    public void checkSubscribe(ClientConnection connection, List<String> channels) throws ProtocolException {
        for (ChannelPermissions p : deciders) {
            for (String channel : channels) {
                if (!p.canSubscribe(connection, channel)) {
                    throw new ProtocolException(403, "not permitted to subscribe to '" + channel + "'");
                }
            }
        }
    }

    /**
     * The channels among {@code channels} that some bean no longer lets the connection subscribe to
     * (after a token refresh), in their order; empty when all are still permitted.
     */
    public List<String> notSubscribable(ClientConnection connection, java.util.Collection<String> channels) {
        List<String> refused = new ArrayList<>();
        for (String channel : channels) {
            for (ChannelPermissions p : deciders) {
                if (!p.canSubscribe(connection, channel)) {
                    refused.add(channel);
                    break;
                }
            }
        }
        return refused;
    }

    /**
     * Checks every channel before anything is published.
     *
     * @throws ProtocolException 403 naming the first channel refused
     */
    public void checkPublish(ClientConnection connection, List<String> channels) throws ProtocolException {
        for (ChannelPermissions p : deciders) {
            for (String channel : channels) {
                if (!p.canPublish(connection, channel)) {
                    throw new ProtocolException(403, "not permitted to publish to '" + channel + "'");
                }
            }
        }
    }
}
