package io.lhttp.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.fuzz.Fuzz;
import io.lhttp.fuzz.FuzzCorpus;
import io.lhttp.fuzz.Gen;
import io.lhttp.fuzz.Mutator;
import io.lhttp.fuzz.Oracle;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.MultipartParser;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the LHTTP endpoint of the packaged server over a real socket: first every case of
 * {@code lhttp/fuzz-corpus.txt}, then random and mutated frames ({@link Mutator}: the
 * PROTOCOL.md §6 and README frames with bytes flipped, cut, CRLFs doubled or removed, header
 * lines without colon, huge header counts, long channel names, invalid UTF-8 in binary frames,
 * random commands, multipart offsets out of range, sizes at and over the frame limit), as text
 * and binary frames on one raw WebSocket.
 *
 * <p>The oracle is the project's own parsers with the server's limits ({@link Oracle}): after
 * each fuzzed frame the client sends an {@code echo}, and every frame that arrives before that
 * echo's answer must be, one for one and in order, what the oracle expects: exactly one §5 error
 * frame with the parser's code for a refused frame, the echo or upload answer and the publishes
 * to the connection's own channels for a valid one. So the valid frame after each fuzzed one is
 * handled normally, and nothing is lost or added. A second connection subscribed to a private
 * channel must receive a publish from the fuzzing connection every {@value #PROBE_EVERY} frames;
 * both connections stay open; a frame over the hard cap closes its connection with 1009; and the
 * server's log gains no exception and no SEVERE line.
 *
 * <p>{@value #DEFAULT_FRAMES} random frames by default (a few seconds);
 * {@code -Dlhttp.fuzz.tries=N} sends N, {@code -Dlhttp.fuzz.seed=S} replays a run:
 * {@code mvn verify -Dit.test=EndpointFuzzIT -Dlhttp.fuzz.tries=100000}.
 *
 * <p>Raw socket, not the Java client SDK: it sends what no client would (broken frames, invalid UTF-8, cut headers).
 */
class EndpointFuzzIT {

    private static final Logger LOG = Logger.getLogger(EndpointFuzzIT.class.getName());

    static final int DEFAULT_FRAMES = 2000;
    static final int PROBE_EVERY = 100;
    /** The server's hard cap, lowered from 1 MiB so the 1009 check sends little. */
    static final int HARD_CAP = 2 * Limits.DEFAULT_MAX_FRAME_BYTES;

    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    @Test
    void everyFrameGetsWhatTheParserDecidesAndTheConnectionKeepsWorking() throws Exception {
        // Server defaults (the corpus states its replies for them), except: no message rate limit, which
        // the fuzzer would trip on purpose-free, and a lower hard cap.
        try (UberJarServer server = UberJarServer.builder()
                .jvmOption("-Dlhttp.max-messages-per-second=0")
                .jvmOption("-Dlhttp.max-frame-hard-bytes=" + HARD_CAP)
                .start()) {
            long logStart = Files.size(server.logFile());
            String privateChannel = "fuzz-watch-" + UUID.randomUUID();
            try (RawWebSocket fuzz = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(10));
                    RawWebSocket watcher = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(10))) {
                fuzz.readTimeout(READ_TIMEOUT);
                watcher.readTimeout(READ_TIMEOUT);
                watcher.send("LHTTP/1.0 chat\r\nsubscribe:" + privateChannel + "\r\n\r\n");
                assertEquals(List.of(), exchange(watcher, null, "watching"), "subscribing answers nothing");

                Oracle oracle = Oracle.defaults();
                int sent = 0;
                for (FuzzCorpus.Case c : FuzzCorpus.load()) {
                    check(fuzz, oracle, c.frame(), ++sent, "corpus");
                }

                long seed = Fuzz.seed();
                int frames = Fuzz.tries(DEFAULT_FRAMES);
                String replay = Fuzz.replay(seed);
                SplittableRandom master = new SplittableRandom(seed);
                Mutator mutator = new Mutator(
                        Limits.DEFAULT_MAX_FRAME_BYTES, Limits.DEFAULT_MAX_HEADERS, MultipartParser.DEFAULT_MAX_PARTS);
                long started = System.nanoTime();
                Map<String, Integer> outcomes = new TreeMap<>();
                for (int i = 1; i <= frames; i++) {
                    Mutator.Frame frame = mutator.next(master.split());
                    String outcome = check(
                            fuzz,
                            oracle,
                            frame,
                            ++sent,
                            "random frame " + i + " of " + frames + " (replay with " + replay + ")");
                    outcomes.merge(outcome, 1, Integer::sum);
                    if (i % PROBE_EVERY == 0 || i == frames) {
                        probe(fuzz, watcher, privateChannel, i);
                    }
                }
                long ms = (System.nanoTime() - started) / 1_000_000;
                LOG.info(() -> frames + " random frames in " + ms + " ms, seed " + seed + "; replies: " + outcomes);
                if (frames >= DEFAULT_FRAMES) {
                    for (String kind : new String[] {"none", "echo", "error 400", "error 413"}) {
                        assertTrue(
                                outcomes.keySet().stream().anyMatch(k -> k.startsWith(kind)),
                                () -> "the fuzzer reaches '" + kind + "': " + outcomes);
                    }
                }
                assertEquals(-1, fuzz.closeCode(), "the fuzzed connection is still open");
                assertEquals(-1, watcher.closeCode(), "the watching connection is still open");
            }

            try (RawWebSocket big = RawWebSocket.connect(server.wsUri(), Duration.ofSeconds(10))) {
                big.readTimeout(READ_TIMEOUT);
                byte[] over = new byte[HARD_CAP + 1];
                java.util.Arrays.fill(over, (byte) 'x');
                System.arraycopy("LHTTP/1.0 echo\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0, over, 0, 18);
                big.send(over);
                int[] code = {-1};
                List<String> got = new ArrayList<>();
                while (big.readFrame(new RawWebSocket.Handler() {
                    @Override
                    public void onText(byte[] b, int off, int len) {
                        got.add(new String(b, off, len, StandardCharsets.UTF_8));
                    }

                    @Override
                    public void onClose(int c, String reason) {
                        code[0] = c;
                    }
                })) {
                    // a frame before the close would be a reply to a frame never accepted
                }
                assertEquals(List.of(), got, "no reply to a frame over the hard cap");
                assertEquals(1009, code[0], "a frame over the hard cap closes with 1009");
            }

            List<String> bad = new ArrayList<>();
            try (RandomAccessFile log = new RandomAccessFile(server.logFile().toFile(), "r")) {
                log.seek(logStart);
                byte[] rest = new byte[(int) (log.length() - logStart)];
                log.readFully(rest);
                for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                    if (line.contains("Exception") || line.contains("SEVERE")) {
                        bad.add(line);
                    }
                }
            }
            assertTrue(
                    bad.isEmpty(),
                    () -> "the server logged while being fuzzed (" + server.logFile() + "):\n"
                            + String.join("\n", bad.subList(0, Math.min(20, bad.size()))));
        }
    }

    /** Sends the frame, then an echo; what arrives before the echo's answer must be what the oracle says. */
    private static String check(RawWebSocket ws, Oracle oracle, Mutator.Frame frame, int n, String what)
            throws IOException {
        List<Oracle.Reply> expected = oracle.expect(frame.payload(), frame.binary());
        List<String> received = exchange(ws, frame, "after " + n);
        if (!Oracle.matches(expected, received)) {
            throw new AssertionError(what + ": expected "
                    + expected.stream()
                            .map(r -> r instanceof Oracle.Exact e ? e.what() + " " + Gen.show(e.frame()) : r.toString())
                            .toList()
                    + ", received "
                    + received.stream().map(Gen::show).toList() + System.lineSeparator() + "  input: "
                    + frame.show());
        }
        return Oracle.describe(expected);
    }

    /**
     * Sends {@code frame} (none when null) and an echo of {@code marker}; returns the frames
     * received before the echo's answer. The connection closing first is a failure.
     */
    private static List<String> exchange(RawWebSocket ws, Mutator.Frame frame, String marker) throws IOException {
        if (frame != null) {
            if (frame.binary()) {
                ws.sendBinary(frame.payload());
            } else {
                ws.send(frame.payload());
            }
        }
        String echo = "LHTTP/1.0 echo\r\n\r\n" + marker;
        ws.send(echo);
        List<String> received = new ArrayList<>();
        String[] last = new String[1];
        while (true) {
            if (!ws.readFrame((b, off, len) -> last[0] = new String(b, off, len, StandardCharsets.UTF_8))) {
                throw new AssertionError("the server closed the connection with " + ws.closeCode() + " after "
                        + (frame == null ? "'" + marker + "'" : frame.show()) + "; received before: "
                        + received.stream().map(Gen::show).toList());
            }
            if (last[0].equals(echo)) {
                return received;
            }
            received.add(last[0]);
        }
    }

    /** A normal subscriber keeps receiving: a publish from the fuzzed connection reaches the watcher, once. */
    private static void probe(RawWebSocket fuzz, RawWebSocket watcher, String channel, int i) throws IOException {
        String publish = "LHTTP/1.0 chat\r\npublish:" + channel + "\r\n\r\nprobe " + i;
        assertEquals(
                List.of(),
                exchange(
                        fuzz,
                        new Mutator.Frame(publish.getBytes(StandardCharsets.UTF_8), false, "probe"),
                        "probe " + i),
                "the fuzzed connection is not on the private channel");
        assertEquals(List.of(publish), exchange(watcher, null, "probed " + i), "the watcher receives the probe");
    }
}
