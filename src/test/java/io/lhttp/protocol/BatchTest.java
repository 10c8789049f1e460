package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batch frame of PROTOCOL.md §7: the spec's example byte for byte, seeded round trips, and every malformed shape refused. */
class BatchTest {

    @Test
    void theSpecExampleByteForByte() throws ProtocolException {
        String a = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";
        String b = "LHTTP/1.0 chat\r\npublish:room\r\n\r\n\r\n12\nLHTTP/1.0 x";
        String frame = Batch.append(Batch.append(new StringBuilder(), a), b).toString();
        assertEquals(
                "34\nLHTTP/1.0 chat\r\npublish:room\r\n\r\nhi48\nLHTTP/1.0 chat\r\npublish:room\r\n\r\n\r\n12\nLHTTP/1.0 x",
                frame);
        assertTrue(Batch.isBatch(frame));
        assertEquals(List.of(a, b), Batch.split(frame));
    }

    @Test
    void aMessageIsNeverTakenForABatch() {
        assertFalse(Batch.isBatch("LHTTP/1.0 chat\r\n\r\n"));
        assertFalse(Batch.isBatch(""));
        assertTrue(Batch.isBatch("1\nL"));
    }

    @Test
    void lengthsCountUtf16CodeUnits() throws ProtocolException {
        String m = "LHTTP/1.0 é€😀\r\n\r\n😀"; // 😀 is two code units, four UTF-8 bytes
        String frame = Batch.append(new StringBuilder(), m).toString();
        assertEquals(m.length() + "\n" + m, frame);
        assertEquals(List.of(m), Batch.split(frame));
    }

    @Test
    void seededRoundTripsOfAnyText() throws ProtocolException {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        String alphabet = "LHTTP/1.0 \r\n:0123456789é€😀\u0000";
        for (int round = 0; round < 2_000; round++) {
            List<String> messages = new ArrayList<>();
            StringBuilder batch = new StringBuilder();
            int count = 1 + random.nextInt(20);
            int expectedLength = 0;
            for (int i = 0; i < count; i++) {
                StringBuilder m = new StringBuilder();
                int length = 1 + random.nextInt(random.nextBoolean() ? 12 : 300);
                for (int j = 0; j < length; j++) {
                    m.append(alphabet.charAt(random.nextInt(alphabet.length())));
                }
                messages.add(m.toString());
                Batch.append(batch, m.toString());
                expectedLength += Batch.recordLength(m.toString());
            }
            assertEquals(expectedLength, batch.length(), "recordLength matches append, seed " + seed);
            assertEquals(messages, Batch.split(batch.toString()), "seed " + seed);
        }
    }

    @Test
    void malformedBatchesAreRefusedWith400() {
        for (String bad : new String[] {
            "", // nothing
            "3", // no newline
            "3x\nabc", // not a number
            "\nabc", // no length
            "0\n", // empty record
            "03\nabc", // leading zero
            "4\nabc", // runs past the end
            "3\nabc4\nab", // the second runs past the end
            "3\nabcL", // trailing text that is no record
            "99999999999\nabc", // 11 digits
            "2147483648\nabc", // past int, still runs past the end
        }) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> Batch.split(bad), bad);
            assertEquals(400, e.code(), bad);
        }
    }
}
