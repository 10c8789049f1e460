package io.lhttp.channel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The bus of a single instance: a publish goes straight to the channel's local fan-out, on the
 * publisher's thread, so one publisher's messages keep their order. Channels with history
 * ({@link History}) are appended to and delivered under their ring's lock, so positions follow
 * the delivery order and a joining subscriber's replay meets the live frames exactly.
 */
public final class InProcessBus implements Bus {

    private final Map<String, Delivery> channels = new ConcurrentHashMap<>();
    private final History history;

    public InProcessBus() {
        this(History.NONE);
    }

    public InProcessBus(History history) {
        this.history = history;
    }

    @Override
    public void publish(String channel, String frame) {
        HistoryRing ring = history.isEnabled() ? history.ring(channel) : null;
        if (ring == null) {
            Delivery deliver = channels.get(channel);
            if (deliver != null) {
                deliver.deliver(frame, null);
            }
            return;
        }
        synchronized (ring) {
            Position position = ring.append(frame, System.currentTimeMillis());
            Delivery deliver = channels.get(channel);
            if (deliver != null) {
                deliver.deliver(frame, position);
            }
        }
    }

    @Override
    public void publishTransient(String channel, String frame) {
        HistoryRing ring = history.isEnabled() ? history.ring(channel) : null;
        if (ring == null) {
            publish(channel, frame);
            return;
        }
        synchronized (ring) { // ordered with the channel's kept frames and with a joining subscriber's replay
            Delivery deliver = channels.get(channel);
            if (deliver != null) {
                deliver.deliver(frame, null);
            }
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> deliver) {
        return subscribe(channel, (frame, position) -> deliver.accept(frame));
    }

    @Override
    public Subscription subscribe(String channel, Delivery deliver) {
        channels.put(channel, deliver);
        return () -> channels.remove(channel, deliver);
    }

    @Override
    public void join(String channel, Position since, Joiner joiner) {
        HistoryRing ring = history.isEnabled() ? history.ring(channel) : null;
        if (ring == null) {
            Bus.super.join(channel, since, joiner);
            return;
        }
        synchronized (ring) {
            boolean complete = true;
            if (since != null) {
                HistoryRing.Replay replay = ring.since(since, System.currentTimeMillis());
                for (HistoryRing.Entry e : replay.entries()) {
                    joiner.replay(e.frame(), new Position(ring.epoch(), e.offset()));
                }
                complete = replay.complete();
            }
            joiner.joined(ring.top(), since == null ? null : complete);
        }
    }

    @Override
    public HistoryRead history(String channel, Position since, int max) {
        HistoryRing ring = history.isEnabled() && history.covers(channel) ? history.existing(channel) : null;
        if (ring == null) {
            return new HistoryRead(java.util.List.of(), null, false);
        }
        synchronized (ring) {
            HistoryRing.Replay replay = ring.since(since, System.currentTimeMillis());
            java.util.List<HistoryEntry> all = new java.util.ArrayList<>();
            for (HistoryRing.Entry e : replay.entries()) {
                all.add(new HistoryEntry(e.frame(), new Position(ring.epoch(), e.offset())));
            }
            return Bus.cut(all, ring.top(), since, since == null || replay.complete(), max);
        }
    }

    /** The history kept by this bus. */
    public History history() {
        return history;
    }

    @Override
    public String describe() {
        return history.isEnabled() ? "in-process, history " + history : "in-process";
    }
}
