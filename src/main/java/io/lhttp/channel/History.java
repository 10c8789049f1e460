package io.lhttp.channel;

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

    private final ChannelPattern channels;
    private final int size;
    private final long ttlMillis;
    private final int maxChannels;
    private final String epochBase = Long.toString(System.currentTimeMillis(), 36);
    private final AtomicLong rings = new AtomicLong();
    private final Map<String, HistoryRing> byChannel;

    /**
     * @param patterns    comma-separated channel names, {@code prefix*} for every channel starting with prefix
     * @param size        messages kept per channel
     * @param ttlMillis   how long a message is kept, 0 = no age limit
     * @param maxChannels channels with history kept at once
     */
    public History(String patterns, int size, long ttlMillis, int maxChannels) {
        this.channels = new ChannelPattern(patterns);
        this.size = size;
        this.ttlMillis = ttlMillis;
        this.maxChannels = maxChannels;
        this.byChannel = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, HistoryRing> eldest) {
                return size() > History.this.maxChannels;
            }
        };
    }

    /** Whether any channel keeps history. */
    public boolean isEnabled() {
        return !channels.isEmpty();
    }

    /** Whether this channel keeps history. */
    public boolean covers(String channel) {
        return channels.covers(channel);
    }

    /** The channel's ring, created (with a fresh epoch) when it has none; null when the channel keeps no history. */
    public HistoryRing ring(String channel) {
        if (!covers(channel)) {
            return null;
        }
        synchronized (byChannel) {
            return byChannel.computeIfAbsent(channel,
                    c -> new HistoryRing(epochBase + "x" + Long.toString(rings.incrementAndGet(), 36), size, ttlMillis));
        }
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
        return isEnabled() ? "channels=" + channels
                + " size=" + size + " ttl-ms=" + ttlMillis + " max-channels=" + maxChannels : "off";
    }
}
