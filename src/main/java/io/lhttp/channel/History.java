package io.lhttp.channel;

import io.lhttp.protocol.ChannelPatterns;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Which channels keep history ({@code lhttp.history.channels}: exact names and {@code prefix*}
 * patterns) and their rings, in memory: at most {@code maxChannels} channels, the least recently
 * published-to one forgotten first (its next ring has a new epoch, so nobody mistakes it for the old).
 */
public final class History {

    /** No channel keeps history. */
    public static final History NONE = new History("", 1, 0, 1);

    private final ChannelPatterns channels;
    private final int size;
    private final long ttlMillis;
    private final int maxChannels;
    private final String epochBase = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong rings = new AtomicLong();
    private final Map<String, HistoryRing> byChannel;
    private final long channelMaxBytes;
    private final HistoryRing.Pool pool;
    private final java.util.List<HistoryRing> evicted = new java.util.ArrayList<>(); // guarded by byChannel

    /**
     * @param patterns    comma-separated channel names, {@code prefix*} for every channel starting with prefix
     * @param size        messages kept per channel
     * @param ttlMillis   how long a message is kept, 0 = no age limit
     * @param maxChannels channels with history kept at once
     */
    public History(String patterns, int size, long ttlMillis, int maxChannels) {
        this(patterns, size, ttlMillis, maxChannels, Long.MAX_VALUE, Long.MAX_VALUE, null);
    }

    /**
     * @param channelMaxBytes bytes kept per channel ({@code lhttp.history.channel-max-bytes})
     * @param maxBytes        bytes kept by all channels together ({@code lhttp.history.max-bytes})
     * @param budget          the memory budget these bytes count in too, or null
     */
    public History(
            String patterns,
            int size,
            long ttlMillis,
            int maxChannels,
            long channelMaxBytes,
            long maxBytes,
            io.lhttp.memory.MemoryBudget budget) {
        this.channelMaxBytes = channelMaxBytes;
        this.pool = new HistoryRing.Pool(maxBytes, budget);
        this.channels = ChannelPatterns.parse(patterns);
        this.size = size;
        this.ttlMillis = ttlMillis;
        this.maxChannels = maxChannels;
        this.byChannel = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, HistoryRing> eldest) {
                if (size() > History.this.maxChannels) {
                    evicted.add(eldest.getValue()); // retired outside this lock: its own lock is the bus's
                    return true;
                }
                return false;
            }
        };
    }

    /** Whether any channel keeps history. */
    public boolean isEnabled() {
        return !channels.isEmpty();
    }

    /** Whether this channel keeps history. */
    public boolean covers(String channel) {
        return channels.matches(channel);
    }

    /** The channel's ring when it has one now, else null: a read that creates nothing (the server API's history). */
    public HistoryRing existing(String channel) {
        synchronized (byChannel) {
            return byChannel.get(channel);
        }
    }

    /** The channel's ring, created (with a fresh epoch) when it has none; null when the channel keeps no history. */
    public HistoryRing ring(String channel) {
        if (!covers(channel)) {
            return null;
        }
        HistoryRing ring;
        HistoryRing[] retire;
        synchronized (byChannel) {
            ring = byChannel.computeIfAbsent(
                    channel,
                    c -> new HistoryRing(
                            epochBase + "x" + Long.toString(rings.incrementAndGet(), 36),
                            size,
                            ttlMillis,
                            channelMaxBytes,
                            pool));
            if (evicted.isEmpty()) {
                return ring;
            }
            retire = evicted.toArray(HistoryRing[]::new);
            evicted.clear();
        }
        for (HistoryRing r : retire) {
            synchronized (r) {
                r.retire();
            }
        }
        return ring;
    }

    /** Bytes kept per channel ({@code lhttp.history.channel-max-bytes}). */
    public long channelMaxBytes() {
        return channelMaxBytes;
    }

    /** Bytes all channels may keep together ({@code lhttp.history.max-bytes}). */
    public long maxBytes() {
        return pool.max();
    }

    /**
     * The server's memory budget that history counts in (null for a history built without one):
     * with NATS, publishes waiting for the stream's acknowledgement count there too.
     */
    public io.lhttp.memory.MemoryBudget memoryBudget() {
        return pool.budget();
    }

    /** Bytes all channels keep now. */
    public long bytes() {
        return pool.used();
    }

    /** Messages kept per channel ({@code lhttp.history.size}). */
    public int size() {
        return size;
    }

    /** How long a message is kept, ms; 0 = no age limit ({@code lhttp.history.ttl-ms}). */
    public long ttlMillis() {
        return ttlMillis;
    }

    /** Channels with history kept at once ({@code lhttp.history.max-channels}). */
    public int maxChannels() {
        return maxChannels;
    }

    /** Channels with a ring now. */
    public int channels() {
        synchronized (byChannel) {
            return byChannel.size();
        }
    }

    @Override
    public String toString() {
        return isEnabled()
                ? "channels=" + channels
                        + " size=" + size + " ttl-ms=" + ttlMillis + " max-channels=" + maxChannels
                        + (pool.max() == Long.MAX_VALUE
                                ? ""
                                : " channel-max-bytes=" + channelMaxBytes + " max-bytes=" + pool.max())
                : "off";
    }
}
