package io.lhttp.channel;

import io.lhttp.meters.Meters;
import io.lhttp.protocol.ChannelPatterns;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.protocol.RequestId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This instance's channels and their local subscribers. Holds one bus subscription per channel,
 * taken when the first local subscriber arrives and cancelled when the last one leaves, and
 * fans each frame the bus delivers out to the local subscribers: the same encoded text to each.
 * A closing connection leaves all its channels, so nothing outlives it.
 */
@ApplicationScoped
public class ChannelRegistry {

    @Inject
    Bus bus;

    @Inject
    io.lhttp.config.LhttpConfig config;

    private final ConcurrentHashMap<String, LocalChannel> channels = new ConcurrentHashMap<>();

    /** Channels whose subscribers are told of joins and leaves ({@code lhttp.presence.notify}). */
    ChannelPatterns notify = ChannelPatterns.none();

    /**
     * Subscribes a subscriber to channels; channels it already has are left as they are.
     * All or nothing: when the subscriber would exceed {@code maxChannels}, none is added.
     *
     * @throws ProtocolException 429 over the per-subscriber channel limit
     */
    public void subscribe(Subscriber subscriber, List<String> names, int maxChannels) throws ProtocolException {
        Set<String> mine = subscriber.channels();
        synchronized (mine) {
            for (String name : notYetSubscribed(mine, names, maxChannels)) {
                mine.add(name);
                channels.compute(name, (n, channel) -> {
                    LocalChannel c = channel == null ? new LocalChannel(n) : channel;
                    c.add(subscriber);
                    return c;
                });
                notifyPresence("join", name, subscriber);
            }
        }
    }

    /**
     * Subscribes with history positions (PROTOCOL.md §2.2): for each channel not yet subscribed,
     * replays what was published after {@code since} (when given), answers with a
     * {@code subscribed} frame, then delivers live frames with a {@code position} header. The bus
     * runs replay, answer and join with no publication of the channel in between.
     *
     * @throws ProtocolException 429 over the per-subscriber channel limit
     */
    public void subscribeWithPositions(
            Subscriber subscriber, List<String> names, Position since, String requestId, int maxChannels)
            throws ProtocolException {
        Set<String> mine = subscriber.channels();
        synchronized (mine) {
            for (String name : notYetSubscribed(mine, names, maxChannels)) {
                mine.add(name);
                channels.compute(name, (n, channel) -> {
                    LocalChannel c = channel == null ? new LocalChannel(n) : channel;
                    bus.join(n, since, new Bus.Joiner() {
                        @Override
                        public void replay(String frame, Position position) {
                            subscriber.sendFrame(n, withPosition(frame, position));
                        }

                        @Override
                        public void joined(Position top, Boolean recovered) {
                            subscriber.sendFrame(n, subscribed(n, top, recovered, requestId));
                            c.addPositioned(subscriber);
                        }
                    });
                    return c;
                });
                notifyPresence("join", name, subscriber);
            }
        }
    }

    /**
     * The names the subscriber does not have yet (a name given twice counts once), all or nothing:
     * called under the subscriber's channel set's lock.
     *
     * @throws ProtocolException 429 when adding them would exceed {@code maxChannels}
     */
    private static Set<String> notYetSubscribed(Set<String> mine, List<String> names, int maxChannels)
            throws ProtocolException {
        Set<String> added = new LinkedHashSet<>();
        for (String name : names) {
            if (!mine.contains(name)) {
                added.add(name);
            }
        }
        if (mine.size() + added.size() > maxChannels) {
            throw new ProtocolException(429, "too many channels: at most " + maxChannels + " per connection");
        }
        return added;
    }

    /** The frame with {@code position:<epoch>:<offset>} inserted after its start line. */
    static String withPosition(String frame, Position position) {
        int eol = frame.indexOf("\r\n");
        if (eol < 0 || position == null) {
            return frame;
        }
        return frame.substring(0, eol + 2) + "position:" + position + "\r\n" + frame.substring(eol + 2);
    }

    /** The answer to a subscribe with positions: {@code LHTTP/1.0 subscribed} with channel, position, recovered, request-id. */
    static String subscribed(String channel, Position top, Boolean recovered, String requestId) {
        List<Header> headers = new ArrayList<>(4);
        headers.add(new Header("channel", channel));
        if (top != null) {
            headers.add(new Header("position", top.toString()));
        }
        if (recovered != null) {
            headers.add(new Header("recovered", recovered.toString()));
        }
        if (requestId != null) {
            headers.add(new Header(RequestId.HEADER, requestId));
        }
        return Message.of("subscribed", headers, "").frame();
    }

    /** Unsubscribes a subscriber from channels; channels it does not have are ignored. */
    public void unsubscribe(Subscriber subscriber, List<String> names) {
        Set<String> mine = subscriber.channels();
        synchronized (mine) {
            for (String name : names) {
                if (mine.remove(name)) {
                    leave(name, subscriber);
                }
            }
        }
    }

    /** Removes every subscription of a subscriber; called when it closes. */
    public void removeAll(Subscriber subscriber) {
        Set<String> mine = subscriber.channels();
        synchronized (mine) {
            for (String name : mine) {
                leave(name, subscriber);
            }
            mine.clear();
        }
    }

    /**
     * This instance's members of a channel, at most {@code max}: {@code <id>} or {@code <id> <user>},
     * spaces and control characters in a user replaced by {@code _} so an entry stays one line.
     */
    public List<String> members(String channel, int max) {
        LocalChannel c = channels.get(channel);
        if (c == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Subscriber[] group : List.of(c.subscribers, c.positioned)) {
            for (Subscriber s : group) {
                if (out.size() >= max) {
                    return out;
                }
                String user = userOf(s);
                String info = infoOf(s); // after a tab: PresenceFilter drops it unless asked (presence-info:true)
                out.add((user == null ? s.id() : s.id() + " " + user.replaceAll("[\\x00-\\x20\\x7f]", "_"))
                        + (info == null ? "" : "\t" + info));
            }
        }
        return out;
    }

    /** The subscriber a client's connection is: every connection is one (the endpoint makes them). */
    public static Subscriber subscriber(io.lhttp.processor.ClientConnection connection) {
        return (Subscriber) connection;
    }

    /** The authenticated user of a connection (docs/SECURITY.md), or what another kind of subscriber says. */
    private static String userOf(Subscriber s) {
        return s.user();
    }

    /** A connection's public info (docs/PROTOCOL.md "Connection info"): compact JSON, or null. */
    private static String infoOf(Subscriber s) {
        return s instanceof io.lhttp.processor.ClientConnection c
                        && c.attributes().get(io.lhttp.processor.ClientConnection.INFO_ATTRIBUTE) instanceof String info
                ? info
                : null;
    }

    /** Registers this registry as the bus's source of local members, for other instances' presence requests. */
    @jakarta.annotation.PostConstruct
    void offerPresence() {
        bus.presenceSource(this::members);
        notify = ChannelPatterns.parse(config.presenceNotify());
    }

    /**
     * Publishes {@code LHTTP/1.0 presence} with {@code event:join} or {@code event:leave},
     * {@code channel} and {@code member} headers to a channel under {@code lhttp.presence.notify}, through the bus so every instance's
     * subscribers see it, but not into the channel's history (a replay does not repeat old joins and
     * leaves, and they take no room there). Best effort: when the bus refuses (NATS down), nobody is told.
     */
    private void notifyPresence(String command, String channel, Subscriber subscriber) {
        if (notify.isEmpty() || !notify.matches(channel)) {
            return;
        }
        String user = userOf(subscriber);
        String member =
                user == null ? subscriber.id() : subscriber.id() + " " + user.replaceAll("[\\x00-\\x20\\x7f]", "_");
        try {
            bus.publishTransient(
                    channel,
                    Message.of("presence", memberHeaders(command, channel, member, infoOf(subscriber)), "")
                            .frame());
        } catch (ProtocolException e) {
            java.util.logging.Logger.getLogger(ChannelRegistry.class.getName())
                    .log(java.util.logging.Level.FINE, "presence {0} on {1} not published: {2}", new Object[] {
                        command, channel, e.reason()
                    });
        }
    }

    /** A join/leave frame's headers; {@code member-info} only for a connection that has info (older clients ignore it). */
    private static List<Header> memberHeaders(String event, String channel, String member, String info) {
        List<Header> headers = new ArrayList<>(4);
        headers.add(new Header("event", event));
        headers.add(new Header("channel", channel));
        headers.add(new Header("member", member));
        if (info != null) {
            headers.add(new Header("member-info", info));
        }
        return headers;
    }

    /** Channels with at least one subscriber on this instance. */
    public int channelCount() {
        return channels.size();
    }

    /** Local subscribers of a channel. */
    public int subscriberCount(String channel) {
        LocalChannel c = channels.get(channel);
        return c == null ? 0 : c.subscribers.length + c.positioned.length;
    }

    /**
     * The channels with local subscribers now and how many each has, at most {@code max} of them (the
     * server API's {@code channels}); a snapshot, in no particular order.
     */
    public java.util.Map<String, Integer> subscriberCounts(int max) {
        java.util.Map<String, Integer> out = new java.util.LinkedHashMap<>();
        for (java.util.Map.Entry<String, LocalChannel> e : channels.entrySet()) {
            if (out.size() >= max) {
                break;
            }
            LocalChannel c = e.getValue();
            out.put(e.getKey(), c.subscribers.length + c.positioned.length);
        }
        return out;
    }

    private void leave(String name, Subscriber subscriber) {
        channels.computeIfPresent(name, (n, channel) -> channel.remove(subscriber) ? channel : null);
        notifyPresence("leave", name, subscriber);
    }

    /** One channel's local subscribers. Changes happen inside the map's compute for its key. */
    private final class LocalChannel implements Bus.Delivery {

        private static final Subscriber[] NONE = new Subscriber[0];

        private volatile Subscriber[] subscribers = NONE; // copy on write: the fan-out reads without locks
        private volatile Subscriber[] positioned = NONE; // those who asked for position headers
        private final Bus.Subscription subscription;
        private final String name;

        LocalChannel(String name) {
            this.name = name;
            this.subscription = bus.subscribe(name, (Bus.Delivery) this);
        }

        void add(Subscriber subscriber) {
            subscribers = grown(subscribers, subscriber);
        }

        void addPositioned(Subscriber subscriber) {
            positioned = grown(positioned, subscriber);
        }

        private static Subscriber[] grown(Subscriber[] old, Subscriber subscriber) {
            Subscriber[] grown = Arrays.copyOf(old, old.length + 1);
            grown[old.length] = subscriber;
            return grown;
        }

        private static Subscriber[] without(Subscriber[] old, Subscriber subscriber) {
            int i = 0;
            while (i < old.length && old[i] != subscriber) {
                i++;
            }
            if (i == old.length) {
                return old;
            }
            Subscriber[] shrunk = new Subscriber[old.length - 1];
            System.arraycopy(old, 0, shrunk, 0, i);
            System.arraycopy(old, i + 1, shrunk, i, old.length - i - 1);
            return shrunk;
        }

        /** @return whether anyone is left; when not, the bus subscription is cancelled */
        boolean remove(Subscriber subscriber) {
            subscribers = without(subscribers, subscriber);
            positioned = without(positioned, subscriber);
            if (subscribers.length == 0 && positioned.length == 0) {
                subscription.cancel();
                return false;
            }
            return true;
        }

        @Override
        public void missed() {
            for (Subscriber c : positioned) {
                c.missed(name);
            }
        }

        @Override
        public void deliver(String frame, Position position) {
            Subscriber[] subscribers = this.subscribers;
            Subscriber[] p = positioned;
            Meters.fannedOut(subscribers.length + p.length);
            for (Subscriber c : subscribers) {
                c.sendFrame(name, frame);
            }
            if (p.length > 0) {
                String framed = withPosition(frame, position); // once, whatever the number of subscribers
                for (Subscriber c : p) {
                    c.sendFrame(name, framed);
                }
            }
        }
    }
}
