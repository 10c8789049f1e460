package io.lhttp.bench;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.MessageWriter;
import io.lhttp.protocol.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parse and serialise of typical LHTTP frames: ns/op, and bytes allocated per op with
 * {@code -prof gc}. Not a test: run it as docs/BENCHMARKS.md says.
 *
 * <ul>
 *   <li>{@code publish}: the 100-byte chat/publish frame of the fan-out benchmark;
 *   <li>{@code subscribe}: a subscribe frame without body;
 *   <li>{@code chat}: the original README's chat frame (two headers, small JSON body);
 *   <li>{@code headers8k}: eight headers and a 1 KiB body.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {

    @Param({"publish", "subscribe", "chat", "headers8k"})
    public String frame;

    private String text;
    private byte[] bytes;
    private MessageParser parser;
    private Message parsed;
    private String command;
    private List<Header> headers;
    private String body;

    @Setup
    public void setUp() throws ProtocolException {
        text = switch (frame) {
            case "publish" -> "LHTTP/1.0 bench\r\npublish:bench-channel\r\n\r\n" + "x".repeat(60);
            case "subscribe" -> "LHTTP/1.0 sub\r\nsubscribe:news sport weather\r\n\r\n";
            case "chat" -> "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_jack\r\n\r\n{to:jack,from:mike}";
            case "headers8k" -> {
                StringBuilder sb = new StringBuilder("LHTTP/1.0 upload\r\n");
                for (int i = 0; i < 8; i++) {
                    sb.append("x-header-")
                            .append(i)
                            .append(":value number ")
                            .append(i)
                            .append("\r\n");
                }
                yield sb.append("\r\n").append("b".repeat(1024)).toString();
            }
            default -> throw new IllegalArgumentException(frame);
        };
        bytes = text.getBytes(StandardCharsets.UTF_8);
        parser = new MessageParser(Limits.DEFAULTS);
        parsed = parser.parse(text);
        command = parsed.command();
        headers = parsed.headers();
        body = parsed.body();
    }

    /** A text frame as the decoder gets it from the container. */
    @Benchmark
    public Message parseText() throws ProtocolException {
        return parser.parse(text);
    }

    /** A binary frame (and POST /publish bodies): UTF-8 check and decode, then parse. */
    @Benchmark
    public Message parseBinary() throws ProtocolException {
        return parser.parse(ByteBuffer.wrap(bytes));
    }

    /** Serialising a message a processor built (a parsed one costs nothing: it keeps its text). */
    @Benchmark
    public String write() {
        return MessageWriter.write(command, headers, body);
    }

    /** Built by a processor, then serialised once: what a reply or a changed publish costs. */
    @Benchmark
    public String buildAndWrite() {
        return Message.of(command, headers, body).frame();
    }

    /** The publish filter's lookup on every message: header matched case-insensitively, last wins. */
    @Benchmark
    public String headerLookup() {
        return parsed.header("publish");
    }
}
