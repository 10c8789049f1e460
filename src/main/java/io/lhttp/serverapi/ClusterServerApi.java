package io.lhttp.serverapi;

import io.lhttp.channel.Bus;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.channel.Position;
import io.lhttp.config.LhttpConfig;
import io.lhttp.connection.Connections;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Opened;
import io.lhttp.processor.ServerApi;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The server API ({@link ServerApi}) of this instance: it knows this instance's live connections
 * (from the {@code @Opened}/{@code @Closed} events), runs a request on them, and sends it to the
 * other instances over the bus ({@link Bus#control}), whose answers it gathers.
 */
@ApplicationScoped
public class ClusterServerApi implements ServerApi {

    private static final Logger LOG = Logger.getLogger(ClusterServerApi.class.getName());

    @Inject
    Bus bus;

    @Inject
    ChannelRegistry registry;

    @Inject
    Connections connections;

    @Inject
    LhttpConfig config;

    /** This instance's live connections by id. */
    private final Map<String, ClientConnection> live = new ConcurrentHashMap<>();

    @PostConstruct
    void start() {
        bus.controlSource(this::runLocal);
    }

    /** Made when the application starts, so this instance answers the others' requests from then on. */
    void started(@Observes @Initialized(ApplicationScoped.class) Object started) {
        live.size(); // a call on the proxy instantiates the bean
    }

    void opened(@Observes @Opened ClientConnection c) {
        live.put(c.id(), c);
    }

    void closed(@Observes @Closed ClientConnection c) {
        live.remove(c.id(), c);
    }

    @Override
    public Outcome disconnect(Target target, int code, String reason) {
        return outcome(ControlRequest.disconnect(target, code, reason));
    }

    @Override
    public Outcome subscribe(Target target, List<String> channels) {
        return outcome(ControlRequest.channelsOf("subscribe", target, channels));
    }

    @Override
    public Outcome unsubscribe(Target target, List<String> channels) {
        return outcome(ControlRequest.channelsOf("unsubscribe", target, channels));
    }

    @Override
    public Presence presence(String channel) {
        if (!ChannelNames.isValid(channel)) {
            throw new IllegalArgumentException("bad channel name");
        }
        int max = config.presenceMaxEntries();
        Bus.PresenceList list = await(bus.presence(channel, max, registry::members));
        return new Presence(channel, list.members(), list.truncated());
    }

    @Override
    public History history(String channel, int limit, String since) {
        if (!ChannelNames.isValid(channel)) {
            throw new IllegalArgumentException("bad channel name");
        }
        if (limit < 1 || limit > MAX_HISTORY) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_HISTORY);
        }
        Position from = since == null ? null : Position.parse(since); // IllegalArgumentException: 400
        Bus.HistoryRead read;
        try {
            read = bus.history(channel, from, limit);
        } catch (ProtocolException e) {
            throw new IllegalStateException(e.reason());
        }
        List<HistoryMessage> messages = new ArrayList<>();
        for (Bus.HistoryEntry e : read.entries()) {
            messages.add(new HistoryMessage(e.frame(), e.position().toString()));
        }
        return new History(
                channel, messages, read.top() == null ? null : read.top().toString(), read.complete());
    }

    @Override
    public List<InstanceChannels> channels(int limit) {
        List<InstanceChannels> out = new ArrayList<>();
        for (String answer : gather(ControlRequest.channelsListing(limit))) {
            Map<String, String> f = ControlRequest.lines(answer);
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (String entry : ControlRequest.all(answer, "channel")) {
                int sp = entry.lastIndexOf(' ');
                counts.put(entry.substring(0, sp), Integer.parseInt(entry.substring(sp + 1)));
            }
            out.add(new InstanceChannels(f.get("instance"), counts, "true".equals(f.get("truncated"))));
        }
        return out;
    }

    @Override
    public List<InstanceInfo> info() {
        List<InstanceInfo> out = new ArrayList<>();
        for (String answer : gather(ControlRequest.info())) {
            Map<String, String> f = ControlRequest.lines(answer);
            out.add(new InstanceInfo(
                    f.get("instance"),
                    Integer.parseInt(f.getOrDefault("connections", "0")),
                    Integer.parseInt(f.getOrDefault("channels", "0")),
                    Integer.parseInt(f.getOrDefault("subscriptions", "0"))));
        }
        return out;
    }

    private Outcome outcome(ControlRequest request) {
        List<InstanceOutcome> out = new ArrayList<>();
        for (String answer : gather(request)) {
            Map<String, String> f = ControlRequest.lines(answer);
            out.add(new InstanceOutcome(
                    f.get("instance"),
                    Integer.parseInt(f.getOrDefault("connections", "0")),
                    Integer.parseInt(f.getOrDefault("refused", "0"))));
        }
        return new Outcome(out);
    }

    private List<String> gather(ControlRequest request) {
        List<String> answers = await(bus.control(request.encode(), this::runLocal));
        List<String> ok = new ArrayList<>();
        for (String a : answers) {
            if (a.startsWith("instance=")) {
                ok.add(a); // another version's or a failed instance's answer is left out
            }
        }
        return ok;
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> f) {
        try {
            // The bus completes it after its gathering timeout; this bound only guards against a bus that never does.
            return f.get(config.presenceTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("server API request failed: " + e, e);
        }
    }

    /** Runs a request on this instance's connections; the answer is {@code key=value} lines, the instance first. */
    String runLocal(String encoded) {
        ControlRequest r;
        try {
            r = ControlRequest.decode(encoded);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "server API request refused: {0}", e.getMessage());
            return "error=" + e.getMessage().replace('\n', ' ');
        }
        StringBuilder b = new StringBuilder("instance=").append(config.instanceName());
        switch (r.op()) {
            case "disconnect" -> {
                int n = 0;
                for (ClientConnection c : targets(r)) {
                    c.close(CloseReason.CloseCodes.getCloseCode(r.code()), r.reason());
                    n++;
                }
                b.append("\nconnections=").append(n);
            }
            case "subscribe" -> {
                int n = 0;
                int refused = 0;
                for (ClientConnection c : targets(r)) {
                    try {
                        registry.subscribe(ChannelRegistry.subscriber(c), r.channels(), config.maxChannels());
                        n++;
                    } catch (ProtocolException e) {
                        refused++; // over lhttp.max-channels: none of them added
                    }
                }
                b.append("\nconnections=").append(n).append("\nrefused=").append(refused);
            }
            case "unsubscribe" -> {
                int n = 0;
                for (ClientConnection c : targets(r)) {
                    boolean had;
                    synchronized (c.channels()) {
                        had = r.channels().stream().anyMatch(c.channels()::contains);
                    }
                    if (had) {
                        registry.unsubscribe(ChannelRegistry.subscriber(c), r.channels());
                        n++;
                    }
                }
                b.append("\nconnections=").append(n);
            }
            case "channels" -> {
                Map<String, Integer> counts = registry.subscriberCounts(r.limit() + 1);
                int i = 0;
                for (Map.Entry<String, Integer> e : counts.entrySet()) {
                    if (i++ == r.limit()) {
                        b.append("\ntruncated=true");
                        break;
                    }
                    b.append("\nchannel=").append(e.getKey()).append(' ').append(e.getValue());
                }
            }
            case "info" -> {
                Map<String, Integer> counts = registry.subscriberCounts(Integer.MAX_VALUE);
                b.append("\nconnections=").append(connections.count());
                b.append("\nchannels=").append(counts.size());
                b.append("\nsubscriptions=")
                        .append(counts.values().stream()
                                .mapToInt(Integer::intValue)
                                .sum());
            }
            default -> throw new IllegalStateException(r.op());
        }
        return b.toString();
    }

    /** This instance's live connections the request names. */
    private List<ClientConnection> targets(ControlRequest r) {
        if (r.connection() != null) {
            ClientConnection c = live.get(r.connection());
            return c == null || !c.isOpen() ? List.of() : List.of(c);
        }
        List<ClientConnection> out = new ArrayList<>();
        for (ClientConnection c : live.values()) {
            if (c.isOpen() && r.user().equals(c.user())) {
                out.add(c);
            }
        }
        return out;
    }
}
