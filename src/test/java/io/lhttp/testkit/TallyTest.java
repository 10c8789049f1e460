package io.lhttp.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The load tool's own checks: a run it reports clean must be clean, and every fault must be counted as what it is. */
class TallyTest {

    private static Payloads payloads(boolean raw) {
        return new Payloads(raw, 2, 50, 100, s -> "chan");
    }

    private static void feed(Tally t, byte[] frame) {
        byte[] padded = new byte[frame.length + 7]; // the reader hands over a slice of a larger buffer
        System.arraycopy(frame, 0, padded, 3, frame.length);
        t.onText(padded, 3, frame.length);
    }

    private static void feedAll(Tally t, Payloads p) {
        for (int s = 0; s < p.perPublisher(); s++) {
            for (int q = 0; q < p.publishers(); q++) {
                feed(t, p.frame(q, s));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everythingOnceInOrderIsClean(boolean raw) {
        Payloads p = payloads(raw);
        LongAdder progress = new LongAdder();
        Tally t = new Tally(p, progress, null);
        feedAll(t, p);
        assertEquals(100, t.received());
        assertEquals(100, progress.sum());
        assertEquals(0, t.lost());
        assertEquals(0, t.corrupt());
        assertEquals(0, t.duplicated());
        assertEquals(0, t.outOfOrder());
    }

    @Test
    void deliveredSizeIsTheRequestedSizeAndLhttpFramesParse() throws Exception {
        Payloads lhttp = payloads(false);
        Payloads raw = payloads(true);
        assertEquals(100, lhttp.frame(1, 49).length);
        assertEquals(100, raw.frame(1, 49).length);
        Message m = new MessageParser(Limits.DEFAULTS).parse(new String(lhttp.frame(1, 7), StandardCharsets.UTF_8));
        assertEquals("chan", m.header("publish"));
        assertEquals(Payloads.body(1, 7, m.body().length()), m.body());
        assertTrue(m.body().startsWith("1|7|"));
        assertArrayEquals(Payloads.body(1, 7, 100).getBytes(StandardCharsets.UTF_8), raw.frame(1, 7));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aMissingMessageIsLost(boolean raw) {
        Payloads p = payloads(raw);
        Tally t = new Tally(p, null, null);
        for (int s = 0; s < p.perPublisher(); s++) {
            for (int q = 0; q < 2; q++) {
                if (!(q == 1 && s == 17)) {
                    feed(t, p.frame(q, s));
                }
            }
        }
        assertEquals(1, t.lost());
        assertEquals(0, t.outOfOrder());
        assertEquals(0, t.corrupt());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anyChangedByteIsCorruptAndTheMessageStillLost(boolean raw) {
        Payloads p = payloads(raw);
        byte[] original = p.frame(0, 3);
        for (int i = 0; i < original.length; i++) {
            Tally t = new Tally(p, null, null);
            byte[] bad = original.clone();
            bad[i] ^= 0x01;
            feed(t, bad);
            assertEquals(1, t.corrupt(), "byte " + i);
            assertEquals(0, t.received(), "byte " + i);
        }
    }

    @Test
    void truncatedExtendedAndForeignFramesAreCorrupt() {
        Payloads p = payloads(false);
        Tally t = new Tally(p, null, null);
        byte[] f = p.frame(0, 3);
        t.onText(f, 0, f.length - 1);
        byte[] longer = java.util.Arrays.copyOf(f, f.length + 1);
        longer[f.length] = 'x';
        feed(t, longer);
        feed(t, new Payloads(false, 2, 50, 120, s -> "chan").frame(0, 3)); // same ids, other run
        feed(t, new Payloads(false, 2, 50, 100, s -> "chen").frame(0, 3)); // other channel
        feed(t, "LHTTP/1.0 error\r\ncode:429\r\nreason:too many\r\n\r\n".getBytes(StandardCharsets.UTF_8));
        feed(t, new Payloads(false, 5, 500, 100, s -> "chan").frame(4, 400)); // ids out of range
        assertEquals(6, t.corrupt());
        assertEquals(0, t.received());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRepeatedMessageIsDuplicatedNotCountedTwice(boolean raw) {
        Payloads p = payloads(raw);
        LongAdder progress = new LongAdder();
        Tally t = new Tally(p, progress, null);
        feedAll(t, p);
        feed(t, p.frame(1, 20));
        feed(t, p.frame(1, 20));
        assertEquals(2, t.duplicated());
        assertEquals(100, t.received());
        assertEquals(100, progress.sum());
        assertEquals(0, t.outOfOrder());
    }

    @Test
    void orderIsPerPublisher() {
        Payloads p = payloads(false);
        Tally t = new Tally(p, null, null);
        // publisher 1 entirely before publisher 0: interleaving across publishers is not disorder
        for (int q = 1; q >= 0; q--) {
            for (int s = 0; s < p.perPublisher(); s++) {
                feed(t, p.frame(q, s));
            }
        }
        assertEquals(0, t.outOfOrder());
        assertEquals(0, t.lost());
    }

    @Test
    void aSwappedPairIsOneOutOfOrder() {
        Payloads p = payloads(false);
        Tally t = new Tally(p, null, null);
        for (int s = 0; s < p.perPublisher(); s++) {
            int seq = s == 10 ? 11 : s == 11 ? 10 : s;
            feed(t, p.frame(0, seq));
            feed(t, p.frame(1, s));
        }
        assertEquals(1, t.outOfOrder());
        assertEquals(0, t.lost());
        assertEquals(0, t.duplicated());
    }

    @Test
    void markersOnlyMarkReadiness() {
        Payloads p = payloads(false);
        Tally t = new Tally(p, null, null);
        assertFalse(t.ready());
        feed(t, p.marker());
        feed(t, p.marker());
        assertTrue(t.ready());
        assertEquals(0, t.received());
        assertEquals(0, t.corrupt());
        assertEquals(0, t.duplicated());
    }

    @Test
    void latencyIsReceiptMinusSendTime() {
        Payloads p = new Payloads(false, 1, 3, 100, s -> "chan");
        AtomicLongArray sent = new AtomicLongArray(3);
        Tally t = new Tally(p, null, sent);
        long before = System.nanoTime();
        for (int s = 0; s < 3; s++) {
            sent.set(s, before);
            feed(t, p.frame(0, s));
        }
        long after = System.nanoTime();
        long[] l = t.latencies();
        assertEquals(3, l.length);
        for (long v : l) {
            assertTrue(v >= 0 && v <= after - before, "latency " + v);
        }
    }
}
