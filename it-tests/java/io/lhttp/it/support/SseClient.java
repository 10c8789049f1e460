package io.lhttp.it.support;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * An EventSource reader over a raw socket (PROTOCOL.md §8): sends {@code GET}, reads the status
 * and headers, then parses {@code text/event-stream} as the SSE specification says (lines ending
 * in CR, LF or CR LF; {@code event}, {@code id}, {@code data} fields; comments), through chunked
 * transfer coding when the server uses it. Nothing of the server's code: what a browser would see.
 */
public final class SseClient implements Closeable {

    /** One dispatched event; {@code id} is null when the event set none. */
    public record Event(String name, String id, String data) {}

    private final Socket socket;
    private final InputStream raw;
    private final int status;
    private final Map<String, String> headers;
    private final String refusal;
    private final boolean chunked;
    private long chunkLeft; // bytes left in the current chunk; -1 at the end of the body
    private int pending = -1; // a byte read ahead (CR LF handling)
    private int comments;

    private SseClient(Socket socket, int receiveBuffer) throws IOException {
        this.socket = socket;
        this.raw = new java.io.BufferedInputStream(socket.getInputStream(), 65536);
        String head = readHead(raw);
        String[] lines = head.split("\r\n");
        this.status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                h.put(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        this.headers = h;
        this.chunked = "chunked".equalsIgnoreCase(h.get("transfer-encoding"));
        if (status != 200) {
            this.refusal = readBody();
        } else {
            this.refusal = null;
        }
    }

    /**
     * Opens {@code base}{@code pathAndQuery} with extra request header lines ({@code "Name: value"}).
     */
    public static SseClient open(URI base, String pathAndQuery, String... headerLines) throws IOException {
        return open(base, pathAndQuery, 0, headerLines);
    }

    /** As {@link #open(URI, String, String...)} with a small socket receive buffer (bytes; 0 = the system's). */
    public static SseClient open(URI base, String pathAndQuery, int receiveBuffer, String... headerLines)
            throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
        s.setSoTimeout(30_000);
        StringBuilder request = new StringBuilder()
                .append("GET ")
                .append(pathAndQuery)
                .append(" HTTP/1.1\r\nHost: ")
                .append(base.getHost())
                .append(':')
                .append(base.getPort())
                .append("\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = s.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
        return new SseClient(s, receiveBuffer);
    }

    public int status() {
        return status;
    }

    /** A response header (name in any case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body of a refusal (status other than 200). */
    public String refusal() {
        return refusal;
    }

    /** Comment lines ({@code :…}) read so far. */
    public int comments() {
        return comments;
    }

    /** The next event, waiting at most {@code timeout}; throws when none came or the stream ended. */
    public Event next(Duration timeout) throws IOException {
        Event e = poll(timeout);
        if (e == null) {
            throw new IOException("the stream ended");
        }
        return e;
    }

    /**
     * The next event within {@code timeout}, or null when the stream ended.
     *
     * @throws SocketTimeoutException when nothing dispatchable came in time
     */
    public Event poll(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        String name = null;
        String id = null;
        StringBuilder data = null;
        while (true) {
            String line = readLine();
            if (line == null) {
                return null;
            }
            if (line.isEmpty()) {
                if (data != null) {
                    String d = data.length() > 0 ? data.substring(0, data.length() - 1) : "";
                    return new Event(name == null ? "message" : name, id, d);
                }
                name = null;
                continue;
            }
            if (line.startsWith(":")) {
                comments++;
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> name = value;
                case "id" -> id = value;
                case "data" -> {
                    if (data == null) {
                        data = new StringBuilder();
                    }
                    data.append(value).append('\n');
                }
                default -> {}
            }
        }
    }

    /** Reads until the stream ends or {@code timeout} passes without a byte; returns the events read. */
    public int drainToEnd(Duration timeout) throws IOException {
        int events = 0;
        while (poll(timeout) != null) {
            events++;
        }
        return events;
    }

    /** Waits for at least {@code n} comment lines, each within {@code timeout}, ignoring nothing else: events fail it. */
    public void awaitComments(int n, Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        while (comments < n) {
            String line = readLine();
            if (line == null) {
                throw new IOException("the stream ended");
            }
            if (line.startsWith(":")) {
                comments++;
            } else if (!line.isEmpty()) {
                throw new IOException("an event where only comments were expected: " + line);
            }
        }
    }

    /** One SSE line (CR, LF or CR LF ended), or null at the end of the stream. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = pending >= 0 ? pending : body();
            pending = -1;
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\r') {
                int next = body();
                if (next != '\n') {
                    pending = next;
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            line.write(b);
        }
    }

    /** One byte of the body (through chunked coding), or -1 at its end. */
    private int body() throws IOException {
        if (!chunked) {
            return raw.read();
        }
        if (chunkLeft < 0) {
            return -1;
        }
        if (chunkLeft == 0) {
            String size = asciiLine();
            if (size == null) {
                chunkLeft = -1;
                return -1;
            }
            if (size.isEmpty()) { // the CR LF after the previous chunk's data
                size = asciiLine();
                if (size == null) {
                    chunkLeft = -1;
                    return -1;
                }
            }
            int semi = size.indexOf(';');
            chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (chunkLeft == 0) {
                chunkLeft = -1;
                return -1;
            }
        }
        int b = raw.read();
        if (b < 0) {
            chunkLeft = -1;
            return -1;
        }
        chunkLeft--;
        return b;
    }

    private String asciiLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = raw.read()) >= 0) {
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    private String readBody() throws IOException {
        socket.setSoTimeout(10_000);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String length = headers.get("content-length");
        if (length != null) {
            int n = Integer.parseInt(length);
            for (int i = 0; i < n; i++) {
                int b = raw.read();
                if (b < 0) {
                    break;
                }
                out.write(b);
            }
        } else if (chunked) {
            int b;
            while ((b = body()) >= 0) {
                out.write(b);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                    ? state + 1
                    : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
