package io.lhttp.it.security;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP requests written byte for byte over a real socket, so a test can send exactly the
 * handshake headers an attacker's page or tool would (an {@code Origin} of its choice, cookies)
 * and read the status the server answers before any upgrade.
 */
public final class RawHttp {

    /** A response's status code and headers (names in lower case; the last of repeated ones). */
    public record Response(int status, Map<String, String> headers, String body) {}

    private RawHttp() {}

    /** A WebSocket upgrade request for {@code uri} (path and query) with these extra header lines ("Name: value"). */
    public static Response upgrade(URI uri, String... headers) throws IOException {
        return upgradeWith(uri, "Upgrade: websocket\r\nConnection: Upgrade\r\n", headers);
    }

    /** As {@link #upgrade}, with the {@code Upgrade} and {@code Connection} lines given whole (each ending in CRLF). */
    public static Response upgradeWith(URI uri, String upgradeLines, String... headers) throws IOException {
        StringBuilder request = new StringBuilder();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        request.append("GET ")
                .append(target)
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(uri.getHost())
                .append(':')
                .append(uri.getPort())
                .append("\r\n")
                .append(upgradeLines)
                .append("Sec-WebSocket-Key: ")
                .append(Base64.getEncoder().encodeToString(new byte[16]))
                .append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("\r\n");
        return exchange(uri, request.toString(), true);
    }

    /** A plain request: method, path, headers, body. */
    public static Response request(URI base, String method, String path, String body, String... headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder();
        request.append(method)
                .append(' ')
                .append(path)
                .append(" HTTP/1.1\r\n")
                .append("Host: ")
                .append(base.getHost())
                .append(':')
                .append(base.getPort())
                .append("\r\n")
                .append("Connection: close\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        if (!method.equals("GET")) {
            request.append("Content-Length: ").append(bytes.length).append("\r\n");
        }
        request.append("\r\n").append(body);
        return exchange(base, request.toString(), false);
    }

    private static Response exchange(URI uri, String request, boolean headOnly) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String body = "";
            if (!headOnly || status != 101) {
                String length = headers.get("content-length");
                if (length != null) {
                    body = new String(in.readNBytes(Integer.parseInt(length)), StandardCharsets.UTF_8);
                } else if (!"chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                    body = headOnly ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            return new Response(status, headers, body);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed in the response head: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1
                    : (b == '\r' ? 1 : 0);
            if (head.size() > 65536) {
                throw new IOException("response head too long");
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
