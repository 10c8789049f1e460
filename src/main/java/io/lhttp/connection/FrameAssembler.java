package io.lhttp.connection;

import io.lhttp.protocol.Utf8;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts together one connection's frames from the parts the container delivers, and enforces the
 * hard frame cap ({@code lhttp.max-frame-hard-bytes}) as the parts arrive rather than after the
 * whole frame was buffered.
 *
 * <p>Why our own: the per-session buffer size of the WebSocket API is no portable cap. Tomcat
 * (TomEE) allocates it up front (a 1 MiB cap was a 2 MiB {@code char[]} per idle connection),
 * Undertow (WildFly) does not enforce it, and Tyrus (Payara) closes an oversize frame with 1011
 * instead of 1009. With partial-message handlers Tomcat and Undertow hand over a large frame in
 * pieces of their own read buffer: we keep at most the cap per connection, and all connections
 * together at most the {@link InboundBudget}. Tyrus buffers each WebSocket frame whole before any
 * handler runs (bounded by its {@code org.glassfish.tyrus.servlet.incoming-buffer-size}, set in web.xml), so
 * there a frame arrives here as one part.
 *
 * <p>Parts are kept as a list and joined once at the end: no growing buffer that doubles. A frame
 * that arrives whole (the usual case, and always on Tyrus) is passed through without a copy and
 * without touching the budget, and takes no lock. One connection's callbacks never overlap
 * (WebSocket API), but the sweeper reads {@link #startedNanos()} and the close callback may
 * {@link #release()} from other threads, hence the lock on the slow path.
 *
 * <p>Bytes are counted in UTF-8, as the cap is. What a text part takes in memory is at most
 * twice that (Java strings hold Latin-1 text in 1 byte a char, other text in 2).
 */
final class FrameAssembler {

    /** What {@link #text} and {@link #binary} say besides "here is the frame". */
    enum Refusal {
        /** The frame is over the hard cap: close with 1009. */
        TOO_BIG,
        /** Keeping this part would pass the total budget for unfinished frames: close with 1013. */
        OVER_BUDGET
    }

    /** Thrown for a refused part; the parts kept so far are already released. */
    static final class Refused extends Exception {
        private final Refusal refusal;

        Refused(Refusal refusal) {
            super(refusal.name(), null, false, false);
            this.refusal = refusal;
        }

        Refusal refusal() {
            return refusal;
        }
    }

    private final int hardCap;
    private final InboundBudget budget;
    private final List<Object> parts = new ArrayList<>(); // String or byte[], one kind per frame
    private long bytes; // UTF-8 bytes kept so far, all of them reserved from the budget; guarded by this
    private boolean closed; // guarded by this
    private volatile long startedNanos; // 0 = no frame in progress

    FrameAssembler(int hardCap, InboundBudget budget) {
        this.hardCap = hardCap;
        this.budget = budget;
    }

    /**
     * Adds a part of a text frame.
     *
     * @return the whole frame once {@code last}, else null
     */
    String text(String part, boolean last) throws Refused {
        if (last && parts.isEmpty()) {
            if (Utf8.exceeds(part, hardCap)) {
                throw new Refused(Refusal.TOO_BIG);
            }
            return part; // the usual case: whole in one call, nothing kept
        }
        synchronized (this) {
            keep(part, Utf8.length(part));
            if (!last) {
                return null;
            }
            StringBuilder whole = new StringBuilder((int) bytes);
            for (Object p : parts) {
                whole.append((String) p);
            }
            clear();
            return whole.toString();
        }
    }

    /**
     * Adds a part of a binary frame (copied: the container reuses its buffer).
     *
     * @return the whole frame once {@code last}, else null
     */
    ByteBuffer binary(ByteBuffer part, boolean last) throws Refused {
        if (last && parts.isEmpty()) {
            if (part.remaining() > hardCap) {
                throw new Refused(Refusal.TOO_BIG);
            }
            return part;
        }
        synchronized (this) {
            byte[] copy = new byte[part.remaining()];
            part.get(copy);
            keep(copy, copy.length);
            if (!last) {
                return null;
            }
            ByteBuffer whole = ByteBuffer.allocate((int) bytes);
            for (Object p : parts) {
                whole.put((byte[]) p);
            }
            clear();
            return whole.flip();
        }
    }

    /** Keeps a part, or refuses it (and forgets the frame). Holds the lock. */
    private void keep(Object part, int size) throws Refused {
        if (closed) {
            throw new Refused(Refusal.TOO_BIG); // the connection is gone: keep nothing
        }
        if (bytes + size > hardCap) {
            clear();
            throw new Refused(Refusal.TOO_BIG);
        }
        if (!budget.reserve(size, bytes)) {
            clear();
            throw new Refused(Refusal.OVER_BUDGET);
        }
        if (parts.isEmpty()) {
            startedNanos = System.nanoTime();
        }
        parts.add(part);
        bytes += size;
    }

    /** Forgets the frame in progress and gives its bytes back to the budget. Holds the lock. */
    private void clear() {
        budget.release(bytes);
        parts.clear();
        bytes = 0;
        startedNanos = 0;
    }

    /**
     * When the frame now in progress started ({@link System#nanoTime()}), or 0 when none is: the
     * sweeper closes connections whose frame takes longer than {@code lhttp.frame-timeout-ms}.
     */
    long startedNanos() {
        return startedNanos;
    }

    /** Bytes this connection holds in an unfinished frame. */
    synchronized long held() {
        return bytes;
    }

    /** The connection closed: gives back what it held, and keeps nothing from now on. */
    synchronized void release() {
        closed = true;
        clear();
    }
}
