package io.lhttp.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of {@code lhttp/fuzz-corpus.txt}: cases the fuzzers found interesting or that were
 * picked by hand, each with the replies the server must send. {@code FuzzCorpusTest} checks the
 * stated replies against {@link Oracle}; the endpoint fuzzer ({@code EndpointFuzzIT}) sends every
 * frame to a real server, in file order on one connection, before its random frames.
 *
 * <p>Format: blocks of lines ended by a blank line; {@code #} starts a comment line. Text uses
 * the escapes of {@code codec-cases.txt} (\r, \n, \t, \\ and backslash-u followed by four hex digits).
 * <ul>
 * <li>{@code case <name>}</li>
 * <li>{@code frame <text>}: a text frame (sent as UTF-8: a lone surrogate goes out as {@code ?}),
 *     or {@code binary <hex>}: a binary frame of these bytes, or {@code binary-text <text>}:
 *     a binary frame of the text's UTF-8</li>
 * <li>{@code append <text>}: more of the frame; {@code repeat <n> <text>}: the text n times,
 *     {@code #} in it replaced by 0 to n-1; {@code pad-to <bytes> <text>}: the text as often as
 *     it fits under that many bytes, then {@code x} up to exactly that many</li>
 * <li>{@code expect <replies>}: {@code none}, or the replies in order: {@code error <code>},
 *     {@code echo}, {@code delivered} (a publish to the sending connection), {@code upload <parts>}</li>
 * </ul>
 * Cases run with the server's default limits, the message rate limit off.
 */
public final class FuzzCorpus {

    /** One case. */
    public record Case(String name, byte[] payload, boolean binary, String expect) {
        public Mutator.Frame frame() {
            return new Mutator.Frame(payload, binary, "corpus case '" + name + "'");
        }
    }

    private FuzzCorpus() {}

    public static List<Case> load() {
        String text;
        try (InputStream in = FuzzCorpus.class.getResourceAsStream("/lhttp/fuzz-corpus.txt")) {
            if (in == null) {
                throw new IllegalStateException("lhttp/fuzz-corpus.txt is not on the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        String name = null;
        String expect = null;
        Boolean binary = null;
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int lineNo = 0;
        for (String line : (text + "\n").split("\n", -1)) {
            lineNo++;
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (name != null) {
                    if (binary == null || expect == null) {
                        throw new IllegalArgumentException("case '" + name + "' needs a frame and an expect line");
                    }
                    cases.add(new Case(name, payload.toByteArray(), binary, expect));
                }
                name = null;
                expect = null;
                binary = null;
                payload.reset();
                continue;
            }
            int space = line.indexOf(' ');
            String keyword = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : line.substring(space + 1);
            switch (keyword) {
                case "case" -> name = value;
                case "frame" -> {
                    binary = false;
                    payload.writeBytes(utf8(unescape(value)));
                }
                case "binary-text" -> {
                    binary = true;
                    payload.writeBytes(utf8(unescape(value)));
                }
                case "binary" -> {
                    binary = true;
                    payload.writeBytes(hex(value.replace(" ", "")));
                }
                case "append" -> payload.writeBytes(utf8(unescape(value)));
                case "repeat" -> {
                    int sp = value.indexOf(' ');
                    int n = Integer.parseInt(value.substring(0, sp));
                    String t = unescape(value.substring(sp + 1));
                    for (int i = 0; i < n; i++) {
                        payload.writeBytes(utf8(t.replace("#", Integer.toString(i))));
                    }
                }
                case "pad-to" -> {
                    int sp = value.indexOf(' ');
                    int target = Integer.parseInt(value.substring(0, sp));
                    byte[] unit = utf8(unescape(value.substring(sp + 1)));
                    while (payload.size() + unit.length <= target) {
                        payload.writeBytes(unit);
                    }
                    while (payload.size() < target) {
                        payload.write('x');
                    }
                }
                case "expect" -> expect = value.trim();
                default -> throw new IllegalArgumentException("line " + lineNo + ": unknown keyword '" + keyword + "'");
            }
        }
        return cases;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hex(String s) {
        byte[] b = new byte[s.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }

    /** The escapes of codec-cases.txt (\r, \n, \t, \\, backslash-u and four hex digits); any other escaped char stands for itself. */
    static String unescape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 == s.length()) {
                sb.append(c);
                continue;
            }
            char e = s.charAt(++i);
            switch (e) {
                case 'r' -> sb.append('\r');
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append(e);
            }
        }
        return sb.toString();
    }
}
