package io.lhttp.fuzz;

import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.MessageWriter;
import io.lhttp.protocol.MultipartParser;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.upstream.AllowList;
import io.lhttp.upstream.UpstreamRequest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server must answer to one frame, decided with the project's own parsers and the
 * server's limits, and the order of PROTOCOL.md §2: the frame parses (else one error frame with
 * the parser's code); {@code multipart} is cut (else its error); {@code upstream} is checked
 * (always refused here: the server runs with no allow-list, 403, or 400 when malformed); the
 * processor answers ({@code echo}: the body back; {@code upload}: a JSON list of the parts);
 * then {@code subscribe} (400 bad name, 429 over the channel limit, all or nothing),
 * {@code publish} (400; 403 for the reserved command {@code error}; else the frame, without the
 * default {@code lhttp.publish.strip-headers} lines, to each named channel this connection is on) and
 * {@code unsubscribe} (400). One instance follows one connection: it keeps that connection's
 * channels.
 */
public final class Oracle {

    /** One frame the server sends back. */
    public sealed interface Reply permits Error, Exact, Upload {
        /** Whether {@code frame} is this reply. */
        boolean matches(String frame);
    }

    /** The error frame of PROTOCOL.md §5 with this code. */
    public record Error(int code) implements Reply {
        @Override
        public boolean matches(String frame) {
            return frame.startsWith("LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:")
                    && frame.endsWith("\r\n\r\n")
                    && frame.indexOf("\r\n", ("LHTTP/1.0 error\r\ncode:" + code + "\r\nreason:").length())
                            == frame.length() - 4;
        }

        @Override
        public String toString() {
            return "error " + code;
        }
    }

    /** Exactly this frame: {@code what} is "echo" (the echo processor's answer) or "delivered" (a publish to this connection). */
    public record Exact(String what, String frame) implements Reply {
        @Override
        public boolean matches(String received) {
            return frame.equals(received);
        }

        @Override
        public String toString() {
            return what;
        }
    }

    /** The upload example's answer: content type JSON, a JSON array of {@code parts} objects. */
    public record Upload(int parts) implements Reply {
        @Override
        public boolean matches(String frame) {
            String head = "LHTTP/1.0 upload\r\ncontent-type:application/json\r\n\r\n[";
            return frame.startsWith(head)
                    && frame.endsWith("]")
                    && (parts == 0
                            ? frame.length() == head.length() + 1
                            : frame.startsWith("{\"headers\":{", head.length()))
                    && count(frame, "\"body\":") >= parts;
        }

        private static int count(String s, String what) {
            int n = 0;
            for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
                n++;
            }
            return n;
        }

        @Override
        public String toString() {
            return "upload " + parts;
        }
    }

    private final MessageParser parser;
    private final MultipartParser multipart;
    private final int maxChannels;
    private final AllowList noUpstream = AllowList.parse("");
    private final Set<String> channels = new LinkedHashSet<>();

    /** With the server's limits: {@code lhttp.max-frame-bytes}, {@code max-headers}, {@code max-parts}, {@code max-channels}. */
    public Oracle(int maxFrameBytes, int maxHeaders, int maxParts, int maxChannels) {
        this.parser = new MessageParser(new Limits(maxFrameBytes, maxHeaders));
        this.multipart = new MultipartParser(maxParts, maxHeaders);
        this.maxChannels = maxChannels;
    }

    /** The server's defaults. */
    public static Oracle defaults() {
        return new Oracle(
                Limits.DEFAULT_MAX_FRAME_BYTES, Limits.DEFAULT_MAX_HEADERS, MultipartParser.DEFAULT_MAX_PARTS, 256);
    }

    /** The channels this connection is on now. */
    public Set<String> channels() {
        return Set.copyOf(channels);
    }

    /** The replies to {@code payload}, in order; updates the connection's channels as the server will. */
    public List<Reply> expect(byte[] payload, boolean binary) {
        List<Reply> replies = new ArrayList<>(2);
        Message m;
        try {
            m = binary
                    ? parser.parse(ByteBuffer.wrap(payload))
                    : parser.parse(new String(payload, StandardCharsets.UTF_8));
        } catch (ProtocolException e) {
            replies.add(new Error(e.code()));
            return replies;
        }
        int parts = 0;
        String offsets = m.header("multipart");
        if (offsets != null) {
            try {
                parts = multipart.parse(offsets, m.body()).size();
            } catch (ProtocolException e) {
                replies.add(new Error(e.code()));
                return replies;
            }
        }
        String upstream = m.header("upstream");
        if (upstream != null) {
            try {
                UpstreamRequest.build(upstream, m.headers(), m.body(), noUpstream, Duration.ofSeconds(5));
                throw new AssertionError("an upstream call passed an empty allow-list: " + upstream);
            } catch (ProtocolException e) {
                replies.add(new Error(e.code()));
                return replies;
            }
        }
        if (m.command().equals("echo")) {
            replies.add(new Exact("echo", MessageWriter.write("echo", m.headers(), m.body())));
        } else if (m.command().equals("upload")) {
            replies.add(new Upload(parts));
        }
        try {
            String subscribe = m.header("subscribe");
            if (subscribe != null) {
                List<String> names = ChannelNames.parseList(subscribe);
                Set<String> after = new LinkedHashSet<>(channels);
                after.addAll(names);
                if (after.size() > maxChannels) {
                    throw new ProtocolException(429, "too many channels");
                }
                channels.addAll(names);
            }
            String publish = m.header("publish");
            if (publish != null) {
                List<String> names = ChannelNames.parseList(publish);
                if (m.command().equals("error")) {
                    throw new ProtocolException(403, "reserved for the server"); // docs/SECURITY.md
                }
                String delivered = published(m);
                for (String channel : names) {
                    if (channels.contains(channel)) {
                        replies.add(new Exact("delivered", delivered));
                    }
                }
            }
            String unsubscribe = m.header("unsubscribe");
            if (unsubscribe != null) {
                channels.removeAll(ChannelNames.parseList(unsubscribe));
            }
        } catch (ProtocolException e) {
            replies.add(new Error(e.code()));
        }
        return replies;
    }

    /** Header keys the server strips from what clients publish by default ({@code lhttp.publish.strip-headers}). */
    private static final Set<String> STRIPPED = Set.of("auth", "authorization", "cookie", "token");

    /** What subscribers receive: the frame as sent, without the stripped header lines (then re-encoded). */
    private static String published(Message m) {
        List<Header> kept = new ArrayList<>();
        for (Header h : m.headers()) {
            if (!STRIPPED.contains(h.key().trim().toLowerCase(java.util.Locale.ROOT))) {
                kept.add(h);
            }
        }
        return kept.size() == m.headers().size() ? m.frame() : MessageWriter.write(m.command(), kept, m.body());
    }

    /** The replies in a line, as the corpus states them: {@code none}, or e.g. {@code echo delivered}, {@code error 400}, {@code upload 2}. */
    public static String describe(List<Reply> replies) {
        if (replies.isEmpty()) {
            return "none";
        }
        StringBuilder sb = new StringBuilder();
        for (Reply r : replies) {
            sb.append(sb.length() == 0 ? "" : " ").append(r);
        }
        return sb.toString();
    }

    /** Whether the frames received are the replies expected, one for one, in order. */
    public static boolean matches(List<Reply> expected, List<String> received) {
        if (expected.size() != received.size()) {
            return false;
        }
        for (int i = 0; i < expected.size(); i++) {
            if (!expected.get(i).matches(received.get(i))) {
                return false;
            }
        }
        return true;
    }
}
