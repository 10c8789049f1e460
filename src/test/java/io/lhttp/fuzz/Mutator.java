package io.lhttp.fuzz;

import io.lhttp.protocol.ChannelNames;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Frames for the endpoint fuzzer: the examples of PROTOCOL.md §6 and the README's chat frames,
 * mutated (bytes flipped, cut, CRLFs doubled or removed, header lines without colon, huge header
 * counts, long channel names, invalid UTF-8 in binary frames, random commands, multipart offsets
 * out of range, sizes at and over the frame limit), and freshly generated messages.
 */
public final class Mutator {

    /** PROTOCOL.md §6 and the README's frames, byte for byte. */
    public static final String[] SEEDS = {
        "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_jack\r\n\r\n{to:jack,from:mike}",
        "LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2",
        "LHTTP/1.0 chat\r\nsubscribe:chatroom\r\n\r\n",
        "LHTTP/1.0 chat\r\npublish:chatroom\r\n\r\nhello everyone",
        "LHTTP/1.0 chat\r\nunsubscribe:chatroom\r\n\r\n",
        "LHTTP/1.0 echo\r\n\r\nhello",
        "LHTTP/1.0 chat\r\nsubscribe:channel_mike\r\n\r\n",
        "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_mike\r\nupstream:POST http://127.0.0.1:9000/chat/record"
                + "\r\n\r\n{to:mike,from:jack}",
        "LHTTP/1.0 chat\r\nupstream:POST http://h/x\r\n\r\nbody",
        "LHTTP/1.0 notice\r\npublish:chatroom\r\n\r\nserver restarts at noon",
        "LHTTP/1.0 sub\r\nsubscribe:room\r\n\r\n",
        "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhello from 8081",
        "LHTTP/1.0 chat\r\nsubscribe:room\r\npublish:room\r\n\r\nto myself",
        "LHTTP/1.0 upload\r\nmultipart:0 7\r\n\r\n\r\nfirst\r\nsecond\r\n",
    };

    /** Channel names that collide across frames, valid and not. */
    private static final String[] CHANNELS = {
        "chatroom",
        "channel_jack",
        "channel_mike",
        "room",
        "a",
        "a.b",
        "x/y@z:1",
        "a..b",
        ".a",
        "a.",
        "*",
        ">",
        "a*b",
        "é",
        "",
        " "
    };

    private static final String[] CRUMBS = {
        "\r",
        "\n",
        "\r\n",
        "\r\n\r\n",
        ":",
        " ",
        "\t",
        "\u0000",
        "\u007f",
        "\u0085",
        "\ud800",
        "\udfff",
        "\ud83d\ude00",
        "é",
        "€",
        "LHTTP/1.0 ",
        "LHTTP/1.0 echo\r\n",
        "k:v\r\n",
        "nocolon\r\n",
        ":v\r\n",
        " :v\r\n",
        "publish:room\r\n",
        "subscribe:room\r\n",
        "multipart:0\r\n",
        "upstream:GET http://h/\r\n",
        "upstream:x\r\n"
    };

    /** Byte sequences that are not UTF-8: overlong, surrogates, out of range, cut, stray continuations. */
    private static final byte[][] BAD_UTF8 = {
        {(byte) 0xc0, (byte) 0x80},
        {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xff},
        {(byte) 0xfe},
        {(byte) 0x80},
        {(byte) 0xe2, (byte) 0x82},
        {(byte) 0xf0, (byte) 0x9f, (byte) 0x98},
        {(byte) 0xc3}
    };

    private final int maxFrameBytes;
    private final int maxHeaders;
    private final int maxParts;

    /** Mutations aimed at these limits (the server's). */
    public Mutator(int maxFrameBytes, int maxHeaders, int maxParts) {
        this.maxFrameBytes = maxFrameBytes;
        this.maxHeaders = maxHeaders;
        this.maxParts = maxParts;
    }

    /** One frame to send: its payload, whether it goes as a binary frame, and how it was made. */
    public record Frame(byte[] payload, boolean binary, String how) {
        public static Frame text(String text, String how) {
            return new Frame(text.getBytes(StandardCharsets.UTF_8), false, how);
        }

        public String show() {
            return (binary ? "binary " : "text ") + how + ": "
                    + (binary && !isUtf8(payload)
                            ? Gen.show(payload)
                            : Gen.show(new String(payload, StandardCharsets.UTF_8)));
        }
    }

    /** The next frame. Text frames are always UTF-8 (anything else is a WebSocket error, not ours); binary ones need not be. */
    public Frame next(SplittableRandom r) {
        int k = r.nextInt(100);
        if (k < 30) {
            return Frame.text(mutateText(r, Gen.pick(r, SEEDS)), "mutated seed");
        }
        if (k < 45) {
            byte[] b = mutateBytes(r, Gen.pick(r, SEEDS).getBytes(StandardCharsets.UTF_8));
            boolean binary = !isUtf8(b) || r.nextBoolean();
            return new Frame(b, binary, "seed with bytes mutated");
        }
        if (k < 60) {
            return Frame.text(generated(r), "generated");
        }
        if (k < 80) {
            return targeted(r);
        }
        if (k < 88) {
            return Frame.text(
                    "LHTTP/1.0 " + Gen.command(r) + "\r\n" + (r.nextBoolean() ? "" : "k:v\r\n") + "\r\n" + Gen.body(r),
                    "random command");
        }
        if (k < 95) {
            return Frame.text(Gen.frameLike(r), "frame-like");
        }
        byte[] b = Gen.bytes(r);
        return new Frame(b, true, "random bytes");
    }

    /** A generated message with built-in headers mixed in. */
    private String generated(SplittableRandom r) {
        StringBuilder sb = new StringBuilder("LHTTP/1.0 ");
        sb.append(r.nextInt(4) == 0 ? "echo" : r.nextInt(4) == 0 ? "upload" : Gen.command(r))
                .append("\r\n");
        int n = Gen.size(r, 0, 6);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(8)) {
                case 0 -> sb.append("subscribe:").append(channels(r)).append("\r\n");
                case 1 -> sb.append("publish:").append(channels(r)).append("\r\n");
                case 2 -> sb.append("unsubscribe:").append(channels(r)).append("\r\n");
                case 3 -> sb.append("multipart:").append(offsets(r)).append("\r\n");
                default -> {
                    var h = Gen.header(r);
                    sb.append(h.key()).append(':').append(h.value()).append("\r\n");
                }
            }
        }
        if (r.nextInt(10) > 0) {
            sb.append("\r\n").append(r.nextBoolean() ? Gen.body(r) : multipartBody(r));
        }
        return sb.toString();
    }

    private static String channels(SplittableRandom r) {
        int n = Gen.size(r, 0, 4);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : r.nextInt(5) == 0 ? "  " : " ");
            sb.append(r.nextInt(4) == 0 ? channelName(r, r.nextInt(1, 12)) : Gen.pick(r, CHANNELS));
        }
        return sb.toString();
    }

    /** A name of {@code length} allowed characters (valid unless its dots say otherwise). */
    private static String channelName(SplittableRandom r, int length) {
        String allowed = "abcXYZ019_-.:@/";
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(allowed.charAt(r.nextInt(allowed.length())));
        }
        return sb.toString();
    }

    private String offsets(SplittableRandom r) {
        switch (r.nextInt(6)) {
            case 0:
                return "0";
            case 1:
                return "0 " + r.nextInt(1, 40);
            case 2:
                return "0 " + r.nextInt(1, 20) + " " + r.nextInt(1, 60);
            case 3:
                return Gen.pick(r, new String[] {
                    "",
                    " ",
                    "0 x",
                    "0 -1",
                    "1",
                    "0 0",
                    "0 99999999999",
                    "0 2147483648",
                    "0 2147483647",
                    "０",
                    "0\t7",
                    "+0"
                });
            case 4: {
                StringBuilder sb = new StringBuilder("0");
                int n = maxParts - 1 + r.nextInt(3);
                for (int i = 1; i < n; i++) {
                    sb.append(' ').append(i * 2);
                }
                return sb.toString();
            }
            default:
                return "0 " + r.nextLong(Long.MAX_VALUE);
        }
    }

    private static String multipartBody(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = Gen.size(r, 1, 4);
        for (int i = 0; i < n; i++) {
            if (r.nextBoolean()) {
                sb.append("k")
                        .append(i)
                        .append(':')
                        .append(Gen.text(r, Gen.Pieces.VALUE, 0, 4).replace("\r", ""))
                        .append("\r\n");
            }
            sb.append("\r\n").append(Gen.text(r, Gen.Pieces.BODY, 0, 6));
        }
        return sb.toString();
    }

    /** Frames aimed at one limit or rule each. */
    private Frame targeted(SplittableRandom r) {
        switch (r.nextInt(9)) {
            case 0: {
                int n = Gen.pick(r, new Integer[] {maxHeaders - 1, maxHeaders, maxHeaders + 1, maxHeaders * 20});
                StringBuilder sb = new StringBuilder("LHTTP/1.0 echo\r\n");
                for (int i = 0; i < n; i++) {
                    sb.append("h").append(i).append(':').append(i).append("\r\n");
                }
                return Frame.text(sb.append("\r\nbody").toString(), n + " header lines");
            }
            case 1: {
                int length = Gen.pick(r, new Integer[] {
                    ChannelNames.MAX_LENGTH - 1, ChannelNames.MAX_LENGTH, ChannelNames.MAX_LENGTH + 1, 1000
                });
                String name = "c".repeat(length);
                String header = Gen.pick(r, new String[] {"subscribe", "publish", "unsubscribe"});
                return Frame.text("LHTTP/1.0 chat\r\n" + header + ":" + name + "\r\n\r\nx", "channel of " + length);
            }
            case 2: {
                String seed = Gen.pick(r, SEEDS);
                int at = seed.indexOf("\r\n") + 2;
                return Frame.text(
                        seed.substring(0, at) + Gen.pick(r, new String[] {"nocolon", "", " ", "\t", "a b"}) + "\r\n"
                                + seed.substring(at),
                        "header line without colon");
            }
            case 3: {
                String body = multipartBody(r);
                int bytes = body.getBytes(StandardCharsets.UTF_8).length;
                int offset = Gen.pick(r, new Integer[] {bytes - 1, bytes, bytes + 1, Integer.MAX_VALUE});
                return Frame.text(
                        "LHTTP/1.0 upload\r\nmultipart:0 " + offset + "\r\n\r\n" + body,
                        "multipart offset " + offset + " of " + bytes);
            }
            case 4: {
                // Sizes at and around the frame limit, counted in UTF-8 bytes with multi-byte characters.
                String head = "LHTTP/1.0 echo\r\n\r\n";
                int target = maxFrameBytes + r.nextInt(-3, 4);
                String filler = Gen.pick(r, new String[] {"x", "é", "€", "\ud83d\ude00"});
                int fb = filler.getBytes(StandardCharsets.UTF_8).length;
                StringBuilder sb = new StringBuilder(head);
                int bytes = head.length();
                while (bytes + fb <= target) {
                    sb.append(filler);
                    bytes += fb;
                }
                while (bytes < target) {
                    sb.append('x');
                    bytes++;
                }
                boolean binary = r.nextBoolean();
                byte[] payload = sb.toString().getBytes(StandardCharsets.UTF_8);
                return new Frame(payload, binary, payload.length + " bytes against " + maxFrameBytes);
            }
            case 5: {
                byte[] seed = Gen.pick(r, SEEDS).getBytes(StandardCharsets.UTF_8);
                byte[] bad = Gen.pick(r, BAD_UTF8);
                int at = r.nextInt(seed.length + 1);
                byte[] b = new byte[seed.length + bad.length];
                System.arraycopy(seed, 0, b, 0, at);
                System.arraycopy(bad, 0, b, at, bad.length);
                System.arraycopy(seed, at, b, at + bad.length, seed.length - at);
                return new Frame(b, true, "invalid UTF-8 in a binary frame");
            }
            case 6: {
                String seed = Gen.pick(r, SEEDS);
                return Frame.text(
                        r.nextBoolean() ? seed.replace("\r\n", "\n") : seed.replace("\r\n", "\r\n\r\n"),
                        "CRLFs changed");
            }
            case 7:
                return Frame.text(
                        Gen.pick(r, new String[] {
                            "",
                            "LHTTP/1.0",
                            "LHTTP/1.0 ",
                            "LHTTP/1.0 \r\n",
                            "LHTTP/1.0 echo",
                            "LHTTP/1.0 echo\r\n",
                            "LHTTP/1.1 echo\r\n\r\n",
                            "lhttp/1.0 echo\r\n\r\n",
                            "LHTTP/1.0  echo\r\n\r\n",
                            "LHTTP/1.0 echo \r\n\r\n",
                            "LHTTP/1.0 ec ho\r\n\r\n",
                            "LHTTP/1.0 \u0085\r\n\r\n",
                            "LHTTP/1.0 echo\r\n:\r\n\r\n",
                            "LHTTP/1.0 echo\r\nk:v"
                        }),
                        "edge case");
            default: {
                String up = Gen.pick(r, new String[] {
                    "GET http://h/", "POST", "", "DELETE http://h/x", "GET  ", "PUT http://h/x y", "get http://h/"
                });
                return Frame.text("LHTTP/1.0 chat\r\nupstream:" + up + "\r\n\r\nb", "upstream " + up);
            }
        }
    }

    /** One to three text mutations. */
    public static String mutateText(SplittableRandom r, String frame) {
        String f = frame;
        int n = r.nextInt(1, 4);
        for (int i = 0; i < n; i++) {
            int at = r.nextInt(f.length() + 1);
            switch (r.nextInt(7)) {
                case 0 -> f = f.substring(0, at) + Gen.pick(r, CRUMBS) + f.substring(at);
                case 1 -> f = f.substring(0, at); // truncated
                case 2 -> {
                    int to = at + r.nextInt(f.length() - at + 1);
                    f = f.substring(0, at) + f.substring(to);
                }
                case 3 -> f = replaceNth(r, f, "\r\n", r.nextBoolean() ? "\r\n\r\n" : r.nextBoolean() ? "" : "\n");
                case 4 -> f = replaceNth(r, f, ":", r.nextBoolean() ? "" : "::");
                case 5 ->
                    f = f.substring(0, at) + Gen.piece(r, Gen.Pieces.BODY) + f.substring(Math.min(f.length(), at + 1));
                default -> {
                    int to = at + r.nextInt(Math.min(20, f.length() - at) + 1);
                    f = f.substring(0, to) + f.substring(at, to) + f.substring(to); // a range doubled
                }
            }
        }
        return f;
    }

    private static String replaceNth(SplittableRandom r, String s, String what, String with) {
        int count = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            count++;
        }
        if (count == 0) {
            return s;
        }
        int nth = r.nextInt(count);
        int i = s.indexOf(what);
        while (nth-- > 0) {
            i = s.indexOf(what, i + 1);
        }
        return s.substring(0, i) + with + s.substring(i + what.length());
    }

    /** One to three byte mutations: flips, cuts, duplicated ranges, random or invalid UTF-8 bytes inserted. */
    public static byte[] mutateBytes(SplittableRandom r, byte[] bytes) {
        byte[] b = bytes;
        int n = r.nextInt(1, 4);
        for (int i = 0; i < n; i++) {
            int at = r.nextInt(b.length + 1);
            switch (r.nextInt(5)) {
                case 0 -> {
                    if (b.length > 0) {
                        b = b.clone();
                        b[Math.min(at, b.length - 1)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> {
                    if (b.length > 0) {
                        b = b.clone();
                        b[Math.min(at, b.length - 1)] = (byte) r.nextInt(256);
                    }
                }
                case 2 -> b = Arrays.copyOf(b, at);
                case 3 -> b = insert(b, at, Gen.pick(r, BAD_UTF8));
                default -> {
                    byte[] random = new byte[r.nextInt(1, 5)];
                    r.nextBytes(random);
                    b = insert(b, at, random);
                }
            }
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    /** Whether the bytes are well-formed UTF-8. */
    public static boolean isUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
