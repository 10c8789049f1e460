package io.lhttp.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * One channel's recent messages, bounded by count and age. Not thread-safe: the in-process bus
 * uses the ring itself as the channel's lock, held while a message is appended and delivered
 * and while a subscriber is replayed and joined, which is what makes the seam exact.
 */
public final class HistoryRing {

    /** One kept message. */
    public record Entry(long offset, String frame, long time) {
    }

    /** What a subscriber missed: the frames after its position, and whether that is all of them. */
    public record Replay(List<Entry> entries, boolean complete) {
    }

    private final String epoch;
    private final int size;
    private final long ttlMillis;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long last; // offset of the newest message ever appended in this epoch

    /**
     * @param size      most messages kept
     * @param ttlMillis how long a message is kept; 0 = until pushed out by newer ones
     */
    public HistoryRing(String epoch, int size, long ttlMillis) {
        this.epoch = epoch;
        this.size = size;
        this.ttlMillis = ttlMillis;
    }

    public String epoch() {
        return epoch;
    }

    /** Appends a frame and returns its position. */
    public Position append(String frame, long now) {
        expire(now);
        if (entries.size() == size) {
            entries.removeFirst();
        }
        entries.addLast(new Entry(++last, frame, now));
        return new Position(epoch, last);
    }

    /** The position of the newest message ({@code offset 0} before the first). */
    public Position top() {
        return new Position(epoch, last);
    }

    /**
     * The kept messages after {@code since}. Complete when {@code since} is of this epoch, not
     * ahead of the newest message, and nothing after it has been dropped. Otherwise everything
     * still kept is returned, marked incomplete: the subscriber may have missed something.
     */
    public Replay since(Position since, long now) {
        expire(now);
        boolean sameEpoch = since != null && since.epoch().equals(epoch) && since.offset() <= last;
        long from = sameEpoch ? since.offset() : 0;
        long oldest = entries.isEmpty() ? last + 1 : entries.peekFirst().offset();
        boolean complete = sameEpoch && from + 1 >= oldest;
        List<Entry> missed = new ArrayList<>();
        for (Entry e : entries) {
            if (e.offset() > from) {
                missed.add(e);
            }
        }
        return new Replay(missed, complete);
    }

    /** Messages kept now. */
    public int kept() {
        return entries.size();
    }

    private void expire(long now) {
        if (ttlMillis > 0) {
            while (!entries.isEmpty() && now - entries.peekFirst().time() > ttlMillis) {
                entries.removeFirst();
            }
        }
    }
}
