package io.lhttp.load;

import io.lhttp.testkit.RawWebSocket;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Batch frames (PROTOCOL.md §7) on UTF-8 bytes, for the load tool: unpacked without a copy into
 * Strings, packed from frames already encoded. Lengths count UTF-16 code units: one per UTF-8
 * sequence of 1–3 bytes, two per 4-byte sequence.
 */
final class BatchFrames {

    /** The request header that offers batching. */
    static final String OFFER = "Sec-WebSocket-Protocol: " + io.lhttp.protocol.Batch.SUBPROTOCOL + "\r\n";

    private BatchFrames() {}

    /** Passes each message of a batch frame to {@code handler}, or the frame itself when it is not a batch. */
    static RawWebSocket.Handler unpacking(RawWebSocket.Handler handler) {
        return new RawWebSocket.Handler() {
            @Override
            public void onText(byte[] b, int off, int len) {
                if (len == 0 || b[off] < '0' || b[off] > '9') {
                    handler.onText(b, off, len);
                    return;
                }
                int at = off;
                int end = off + len;
                while (at < end) {
                    long units = 0;
                    while (at < end && b[at] >= '0' && b[at] <= '9') {
                        units = units * 10 + (b[at++] - '0');
                    }
                    if (at >= end || b[at] != '\n') {
                        handler.onText(b, at, end - at); // malformed: the tally counts it corrupt
                        return;
                    }
                    int start = ++at;
                    while (units > 0 && at < end) {
                        int lead = b[at] & 0xff;
                        int bytes = lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
                        units -= bytes == 4 ? 2 : 1;
                        at += bytes;
                    }
                    handler.onText(b, start, Math.min(at, end) - start);
                }
            }

            @Override
            public void onClose(int code, String reason) {
                handler.onClose(code, reason);
            }
        };
    }

    /** UTF-16 code units of UTF-8 text. */
    static int units(byte[] utf8) {
        int units = 0;
        for (byte x : utf8) {
            int v = x & 0xff;
            if (v < 0x80 || v >= 0xc0) {
                units += v >= 0xf0 ? 2 : 1;
            }
        }
        return units;
    }

    /** Packs frames into one batch frame. */
    static final class Packer {
        private final int maxUnits;
        private final ByteArrayOutputStream batch = new ByteArrayOutputStream();
        private int units;
        private int count;

        Packer(int maxUnits) {
            this.maxUnits = maxUnits;
        }

        /** Whether {@code frame} still fits (an empty batch takes any). */
        boolean fits(byte[] frame) {
            int u = units(frame);
            return count == 0 || units + Integer.toString(u).length() + 1 + u <= maxUnits;
        }

        void add(byte[] frame) {
            int u = units(frame);
            byte[] prefix = (u + "\n").getBytes(StandardCharsets.US_ASCII);
            batch.writeBytes(prefix);
            batch.writeBytes(frame);
            units += prefix.length + u;
            count++;
        }

        boolean isEmpty() {
            return count == 0;
        }

        /** The batch frame (a lone frame as it is), and empties the packer. */
        byte[] take() {
            byte[] out = batch.toByteArray();
            if (count == 1) {
                int nl = 0;
                while (out[nl] != '\n') {
                    nl++;
                }
                out = java.util.Arrays.copyOfRange(out, nl + 1, out.length);
            }
            batch.reset();
            units = 0;
            count = 0;
            return out;
        }
    }
}
