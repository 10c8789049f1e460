package io.lhttp.fuzz;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generators of LHTTP text for {@link Fuzz}: pieces weighted towards trouble (colons, spaces,
 * lone CR or LF, CRLF, Latin-1, CJK, surrogate pairs, U+2028), sizes biased to their bounds, and
 * frame-like strings that get past the parser's first checks.
 */
public final class Gen {

    private static final String[] SPECIALS = {"\ud83d\ude00", "\ud834\udd1e", "\ud83c\udf89", "\u20ac", "\u2028"};
    private static final String[] INSERTS = {"\r", "\n", "\r\n", ":", " ", "\u0000", "\r\n\r\n", "\ud800"};

    private Gen() {}

    /** Which pieces text may contain besides printable ASCII and non-ASCII characters. */
    public record Pieces(boolean colon, boolean space, boolean loneCrLf, boolean crlf) {
        /** Commands: no colon, space, CR or LF. */
        public static final Pieces COMMAND = new Pieces(false, false, false, false);
        /** Header keys: spaces, tabs and lone CR/LF, never a colon. */
        public static final Pieces KEY = new Pieces(false, true, true, false);
        /** Header values: colons too. */
        public static final Pieces VALUE = new Pieces(true, true, true, false);
        /** Bodies: anything, CRLF included. */
        public static final Pieces BODY = new Pieces(true, true, true, true);
    }

    /** One piece: a code point or a special sequence, weighted towards the characters that break parsers. */
    public static String piece(SplittableRandom r, Pieces p) {
        int total = 16 + (p.colon ? 3 : 0) + (p.space ? 3 : 0) + (p.loneCrLf ? 1 : 0) + (p.crlf ? 2 : 0);
        int x = r.nextInt(total);
        if ((x -= 10) < 0) {
            char c;
            do {
                c = (char) r.nextInt('!', '~' + 1);
            } while (c == ':');
            return String.valueOf(c);
        }
        if ((x -= 2) < 0) {
            return String.valueOf((char) r.nextInt(0xa0, 0x100));
        }
        if ((x -= 2) < 0) {
            return String.valueOf((char) r.nextInt(0x4e00, 0x4e41));
        }
        if ((x -= 2) < 0) {
            return pick(r, SPECIALS);
        }
        if (p.colon && (x -= 3) < 0) {
            return ":";
        }
        if (p.space && (x -= 3) < 0) {
            return r.nextBoolean() ? " " : "\t";
        }
        if (p.loneCrLf && (x -= 1) < 0) {
            return r.nextBoolean() ? "\r" : "\n";
        }
        return "\r\n";
    }

    /** {@code min} to {@code max} pieces; the bounds themselves come up more often than the rest. */
    public static String text(SplittableRandom r, Pieces p, int min, int max) {
        int n = size(r, min, max);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(piece(r, p));
        }
        return sb.toString();
    }

    /** A size in [min, max], the bounds one time in ten each. */
    public static int size(SplittableRandom r, int min, int max) {
        int k = r.nextInt(10);
        return k == 0 ? min : k == 1 ? max : r.nextInt(min, max + 1);
    }

    public static <T> T pick(SplittableRandom r, T[] choices) {
        return choices[r.nextInt(choices.length)];
    }

    /** A valid command token. */
    public static String command(SplittableRandom r) {
        return text(r, Pieces.COMMAND, 1, 12);
    }

    /** A header as a client may send it: any key without ':' or CRLF, any value without CRLF. */
    public static Header header(SplittableRandom r) {
        String key;
        do {
            key = text(r, Pieces.KEY, 1, 10);
        } while (key.isBlank() || key.contains("\r\n"));
        String value;
        do {
            value = text(r, Pieces.VALUE, 0, 20);
        } while (value.contains("\r\n"));
        return new Header(key, value);
    }

    public static List<Header> headers(SplittableRandom r, int max) {
        int n = size(r, 0, max);
        List<Header> headers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            headers.add(header(r));
        }
        return headers;
    }

    /** Header lines as typed, each {@code key:value CRLF}. */
    public static List<String> rawHeaderLines(SplittableRandom r) {
        List<String> lines = new ArrayList<>();
        for (Header h : headers(r, 8)) {
            lines.add(h.key() + ":" + h.value() + "\r\n");
        }
        return lines;
    }

    public static String body(SplittableRandom r) {
        return text(r, Pieces.BODY, 0, 40);
    }

    public static Message message(SplittableRandom r) {
        return Message.of(command(r), headers(r, 8), body(r));
    }

    /** Any chars at all, lone surrogates and controls included, up to {@code max}. */
    public static String anything(SplittableRandom r, int max) {
        int n = size(r, 0, max);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> sb.append((char) r.nextInt(0x10000));
                case 1 -> sb.append((char) r.nextInt(0x20));
                case 2 -> sb.append((char) r.nextInt(0xd800, 0xe000));
                default -> sb.append((char) r.nextInt(0x20, 0x7f));
            }
        }
        return sb.toString();
    }

    /** Strings that look like frames to various depths, so the parser is exercised past its first check. */
    public static String frameLike(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0:
                return anything(r, 60);
            case 1:
                return "LHTTP/1.0 " + anything(r, 60);
            case 2:
                return "LHTTP/1.0 " + text(r, Pieces.BODY, 0, 30);
            case 3: {
                String f = message(r).frame();
                int from = r.nextInt(f.length() + 1);
                int to = from + r.nextInt(f.length() - from + 1);
                return f.substring(0, from) + f.substring(to);
            }
            case 4: {
                String f = message(r).frame();
                int at = r.nextInt(f.length() + 1);
                return f.substring(0, at) + pick(r, INSERTS) + f.substring(at);
            }
            default:
                return Mutator.mutateText(r, message(r).frame());
        }
    }

    /** Random bytes, or the UTF-8 of a frame-like string with bytes flipped, cut or added. */
    public static byte[] bytes(SplittableRandom r) {
        if (r.nextBoolean()) {
            byte[] b = new byte[size(r, 0, 255)];
            r.nextBytes(b);
            return b;
        }
        return Mutator.mutateBytes(r, frameLike(r).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The string with CR, LF, controls and non-ASCII escaped, cut at 300 chars. */
    public static String show(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 300; i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c >= 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() >= 300 ? sb + "... (" + s.length() + " chars)" : sb.toString();
    }

    /** Bytes as hex, cut at 200 bytes. */
    public static String show(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length && i < 200; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return b.length > 200 ? sb + "... (" + b.length + " bytes)" : sb.toString();
    }
}
