package io.lhttp.processor;

import java.util.List;
import java.util.Map;

/**
 * The server API (docs/SERVER-API.md): what a backend does to the running system besides
 * publishing ({@link Publisher}), on every instance of the cluster. Inject it anywhere
 * ({@code @Inject ServerApi api;}); the same operations are served over HTTP under
 * {@code /publish/api/} for operators (loopback or {@code lhttp.publish.token}).
 *
 * <pre>{@code
 * @Inject ServerApi api;
 * api.disconnect(ServerApi.Target.user("bob"), 4000, "logged out");      // every connection of bob, cluster-wide
 * api.subscribe(ServerApi.Target.user("bob"), List.of("news"));          // bob's live connections receive news
 * int online = api.presence("room-1").members().size();
 * }</pre>
 *
 * <p>With NATS, a request goes to every instance and the answers are gathered for
 * {@code lhttp.presence.timeout-ms}: an instance that does not answer in time is missing from
 * {@link Outcome#instances()} (it may still have acted). With the in-process bus, this instance only.
 * Methods block for at most that time; do not call them on a socket's thread in a loop.
 */
public interface ServerApi {

    /** Longest user (a token's {@code sub}) a request may name. */
    int MAX_USER_LENGTH = 256;
    /** Longest connection id a request may name. */
    int MAX_CONNECTION_ID_LENGTH = 128;
    /** Longest close reason in UTF-8 bytes (what fits a WebSocket close frame). */
    int MAX_REASON_BYTES = 123;
    /** Most channels one subscribe or unsubscribe request may name. */
    int MAX_CHANNELS = 256;
    /** Most channels one {@link #channels} answer lists per instance. */
    int MAX_CHANNEL_LIST = 10_000;

    /**
     * Whose live connections a request acts on: every connection whose token's subject is
     * {@code user}, or the one connection with id {@code connection}. Exactly one is set.
     */
    record Target(String user, String connection) {
        public Target {
            if ((user == null) == (connection == null)) {
                throw new IllegalArgumentException("name either a user or a connection");
            }
        }

        public static Target user(String user) {
            return new Target(user, null);
        }

        public static Target connection(String id) {
            return new Target(null, id);
        }
    }

    /**
     * What one instance did.
     *
     * @param instance    the instance's name ({@code lhttp.instance-name})
     * @param connections connections the request acted on there
     * @param refused     connections it matched but could not act on (a subscribe over {@code lhttp.max-channels})
     */
    record InstanceOutcome(String instance, int connections, int refused) {}

    /** What every instance that answered in time did. */
    record Outcome(List<InstanceOutcome> instances) {
        /** Connections acted on, over all instances. */
        public int connections() {
            return instances.stream().mapToInt(InstanceOutcome::connections).sum();
        }
    }

    /** One instance's figures now: open connections, channels with subscribers, subscriptions. */
    record InstanceInfo(String instance, int connections, int channels, int subscriptions) {}

    /** One instance's channels with subscribers now, and how many each ({@code truncated} past the limit). */
    record InstanceChannels(String instance, Map<String, Integer> channels, boolean truncated) {}

    /** Most messages one {@link #history} answer holds. */
    int MAX_HISTORY = 1000;

    /** One kept message of a history channel: the frame as subscribers got it, and its position {@code <epoch>:<offset>}. */
    record HistoryMessage(String frame, String position) {}

    /**
     * A history channel's kept messages, oldest first (PROTOCOL.md §2.2).
     *
     * @param top      the channel's newest position, or null when the channel keeps no history (then no messages)
     * @param complete with a {@code since}: nothing after it is missing before the last message; without: every kept message is here
     */
    record History(String channel, List<HistoryMessage> messages, String top, boolean complete) {}

    /** A channel's members on every instance: {@code <connection-id>} or {@code <connection-id> <user>} (PROTOCOL.md §2.3). */
    record Presence(String channel, List<String> members, boolean truncated) {}

    /**
     * Closes every live connection of the target with a WebSocket close code and reason.
     *
     * @param code   1000, 1001, 1008, 1011, 1013 or 3000-4999
     * @param reason at most {@value #MAX_REASON_BYTES} UTF-8 bytes, no control characters
     * @throws IllegalArgumentException when a field is out of its limits (nothing done)
     */
    Outcome disconnect(Target target, int code, String reason);

    /**
     * Subscribes the target's live connections to {@code channels} (at most {@value #MAX_CHANNELS}
     * valid names), regardless of {@code ChannelPermissions}: the operator decides. A connection that
     * would pass {@code lhttp.max-channels} gets none of them (counted as refused). The subscription
     * ends with the connection: a client that reconnects is not subscribed again.
     */
    Outcome subscribe(Target target, List<String> channels);

    /** Unsubscribes the target's live connections from {@code channels}; counts the connections that had any. */
    Outcome unsubscribe(Target target, List<String> channels);

    /** The channel's members on every instance, at most {@code lhttp.presence.max-entries}. */
    Presence presence(String channel);

    /** Each instance's channels with subscribers now, at most {@code limit} (1-{@value #MAX_CHANNEL_LIST}) each. */
    List<InstanceChannels> channels(int limit);

    /**
     * A history channel's kept messages (shared by the cluster: JetStream, or this instance's memory
     * with the in-process bus): with {@code since} null the newest {@code limit}, else the oldest
     * {@code limit} after that position.
     *
     * @param limit 1-{@value #MAX_HISTORY}
     * @param since a position {@code <epoch>:<offset>} (as a subscriber's {@code since}), or null
     * @throws IllegalArgumentException a bad channel, limit or position
     * @throws IllegalStateException    the history store cannot be read now
     */
    History history(String channel, int limit, String since);

    /** Each instance's connection, channel and subscription counts. */
    List<InstanceInfo> info();
}
