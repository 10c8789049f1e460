package io.lhttp.testkit;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A minimal blocking RFC 6455 client on a plain socket: handshake, masked text frames out, a
 * frame reader in. Nothing is read unless the caller reads, which is what a load generator wants
 * (no per-message allocation, no hidden threads) and what a test of a <em>stalled</em> client
 * needs (complete the handshake, then never read, so the TCP buffers fill).
 *
 * <p>Outgoing frames use an all-zero masking key: RFC 6455 requires the mask bit, not an
 * unpredictable key (that protects browsers against cache poisoning, irrelevant here), and a zero
 * key makes masking free.
 */
public final class RawWebSocket implements Closeable {

    /** Receives what {@link #readFrame} reads. */
    public interface Handler {
        /** A complete text (or binary) message; the buffer is reused after this returns. */
        void onText(byte[] buffer, int offset, int length);

        /** The server's close frame; {@code code} is 1005 when it carried none. */
        default void onClose(int code, String reason) {}

        /** A pong (the answer to {@link #sendPing}); {@link #readFrame} returns after it. */
        default void onPong(byte[] payload) {}
    }

    private static final int OP_CONTINUATION = 0x0;
    private static final int OP_TEXT = 0x1;
    private static final int OP_BINARY = 0x2;
    private static final int OP_CLOSE = 0x8;
    private static final int OP_PING = 0x9;
    private static final int OP_PONG = 0xA;
    private static final int MAX_MESSAGE = 16 << 20;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private byte[] message;
    private int messageLength;
    private volatile int closeCode = -1;
    private int framesInMessage;
    private long pings;
    private long fragmentedMessages;
    private volatile boolean answerPings = true;
    private volatile boolean closeSent;

    private RawWebSocket(Socket socket, DataInputStream in, OutputStream out, int bufferSize) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.message = new byte[Math.min(8192, bufferSize)];
    }

    private String subprotocol = "";

    /** The subprotocol the server's handshake answer named ({@code Sec-WebSocket-Protocol}), or "" for none. */
    public String subprotocol() {
        return subprotocol;
    }

    /** Buffer size of a connection that carries a lot: each direction buffers this much. */
    public static final int LARGE_BUFFERS = 64 * 1024;

    /** Connects from any local address. */
    public static RawWebSocket connect(URI uri, Duration timeout) throws IOException {
        return connect(uri, null, timeout, LARGE_BUFFERS);
    }

    /**
     * Connects and completes the opening handshake.
     *
     * @param localAddress source address to bind (e.g. 127.0.0.2, to get past the ~28k ephemeral
     *                     ports of one source address), or null for any
     * @param bufferSize   bytes buffered each way (small for many idle connections)
     */
    public static RawWebSocket connect(URI uri, InetAddress localAddress, Duration timeout, int bufferSize)
            throws IOException {
        return connect(uri, localAddress, timeout, bufferSize, 0);
    }

    /**
     * As {@link #connect(URI, InetAddress, Duration, int)}, with the socket's receive buffer
     * ({@code SO_RCVBUF}, 0 = the system's): a small one makes a client that stops reading stall
     * its sender sooner.
     */
    public static RawWebSocket connect(
            URI uri, InetAddress localAddress, Duration timeout, int bufferSize, int receiveBuffer) throws IOException {
        return connect(uri, localAddress, timeout, bufferSize, receiveBuffer, "");
    }

    /**
     * As {@link #connect(URI, InetAddress, Duration, int, int)}, with extra request header lines
     * (each ending in CRLF, e.g. {@code "X-Forwarded-For: 198.51.100.1\r\n"}).
     */
    public static RawWebSocket connect(
            URI uri, InetAddress localAddress, Duration timeout, int bufferSize, int receiveBuffer, String extraHeaders)
            throws IOException {
        return connect(
                uri,
                localAddress,
                timeout,
                bufferSize,
                receiveBuffer,
                extraHeaders,
                "Upgrade: websocket\r\nConnection: Upgrade\r\n");
    }

    /**
     * As {@link #connect(URI, InetAddress, Duration, int, int, String)}, with the {@code Upgrade}
     * and {@code Connection} lines given whole (each ending in CRLF), e.g. the variants an attacker
     * writes ({@code "Upgrade: websocket,\r\n"}).
     */
    public static RawWebSocket connect(
            URI uri,
            InetAddress localAddress,
            Duration timeout,
            int bufferSize,
            int receiveBuffer,
            String extraHeaders,
            String upgradeLines)
            throws IOException {
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window is negotiated small
            }
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            byte[] nonce = new byte[16];
            new SecureRandom().nextBytes(nonce);
            String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
            if (uri.getRawQuery() != null) {
                path += "?" + uri.getRawQuery();
            }
            String request = "GET " + path + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + port + "\r\n"
                    + upgradeLines
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), bufferSize);
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), bufferSize));
            String status = readLine(in);
            if (!status.startsWith("HTTP/1.1 101")) {
                throw new IOException("handshake refused: " + status);
            }
            String subprotocol = "";
            for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Protocol")) {
                    subprotocol = line.substring(colon + 1).trim();
                }
            }
            socket.setSoTimeout(0);
            RawWebSocket ws = new RawWebSocket(socket, in, out, bufferSize);
            ws.subprotocol = subprotocol;
            return ws;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n') {
            if (c < 0) {
                throw new EOFException("connection closed during the handshake");
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** Queues one text frame in the output buffer; {@link #flush()} sends what is buffered. */
    public void write(byte[] payload) throws IOException {
        writeFrame(OP_TEXT, payload, 0, payload.length);
    }

    /** Sends one text frame now. */
    public void send(byte[] payload) throws IOException {
        synchronized (out) {
            write(payload);
            out.flush();
        }
    }

    /** Sends one text frame now. */
    public void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends one binary frame now. */
    public void sendBinary(byte[] payload) throws IOException {
        synchronized (out) {
            writeFrame(OP_BINARY, payload, 0, payload.length);
            out.flush();
        }
    }

    public void flush() throws IOException {
        synchronized (out) {
            out.flush();
        }
    }

    /**
     * Sends the header of a text frame announcing {@code announced} payload bytes and then only
     * {@code sent} of them: a frame that never finishes (docs/RELIABILITY.md).
     */
    public void sendUnfinished(int announced, int sent) throws IOException {
        byte[] chunk = new byte[8192];
        java.util.Arrays.fill(chunk, (byte) 'a');
        synchronized (out) {
            writeHeader(OP_TEXT, announced);
            for (int left = Math.min(sent, announced); left > 0; left -= chunk.length) {
                out.write(chunk, 0, Math.min(left, chunk.length));
            }
            out.flush();
        }
    }

    private void writeFrame(int opcode, byte[] payload, int offset, int length) throws IOException {
        synchronized (out) {
            writeHeader(opcode, length);
            out.write(payload, offset, length);
        }
    }

    private void writeHeader(int opcode, int length) throws IOException {
        synchronized (out) {
            out.write(0x80 | opcode);
            if (length < 126) {
                out.write(0x80 | length);
            } else if (length < 65536) {
                out.write(0x80 | 126);
                out.write(length >>> 8);
                out.write(length);
            } else {
                out.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) ((long) length >>> shift));
                }
            }
            out.write(0);
            out.write(0);
            out.write(0);
            out.write(0); // zero masking key: the payload goes out unchanged
        }
    }

    /**
     * Reads until one message, a pong or a close frame arrived; answers pings.
     *
     * @return false when the server closed the connection (handler told) or the socket ended
     */
    public boolean readFrame(Handler handler) throws IOException {
        messageLength = 0;
        framesInMessage = 0;
        while (true) {
            int b0;
            try {
                b0 = in.readUnsignedByte();
            } catch (EOFException e) {
                if (closeCode < 0) {
                    closeCode = 1006;
                    handler.onClose(1006, "connection ended without a close frame");
                }
                return false;
            }
            boolean fin = (b0 & 0x80) != 0;
            int opcode = b0 & 0x0F;
            int b1 = in.readUnsignedByte();
            long length = b1 & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((b1 & 0x80) != 0) {
                throw new IOException("server frames must not be masked");
            }
            if (length > MAX_MESSAGE || messageLength + length > MAX_MESSAGE) {
                throw new IOException("message over " + MAX_MESSAGE + " bytes");
            }
            int len = (int) length;
            if (opcode >= OP_CLOSE) {
                byte[] control = new byte[len];
                in.readFully(control);
                if (opcode == OP_PING) {
                    pings++;
                    if (answerPings) {
                        writeFrame(OP_PONG, control, 0, len);
                        flush();
                    }
                } else if (opcode == OP_CLOSE) {
                    int code = len >= 2 ? ((control[0] & 0xFF) << 8) | (control[1] & 0xFF) : 1005;
                    String reason = len > 2 ? new String(control, 2, len - 2, StandardCharsets.UTF_8) : "";
                    closeCode = code;
                    try {
                        if (!closeSent) {
                            writeFrame(OP_CLOSE, control, 0, Math.min(len, 2));
                            flush();
                        }
                    } catch (IOException ignored) {
                        // the server may already have gone; its close frame is what counts
                    }
                    handler.onClose(code, reason);
                    return false;
                } else if (opcode == OP_PONG) {
                    handler.onPong(control);
                    return true;
                }
                continue;
            }
            if (opcode != OP_TEXT && opcode != OP_BINARY && opcode != OP_CONTINUATION) {
                throw new IOException("unknown opcode " + opcode);
            }
            if (message.length < messageLength + len) {
                message = java.util.Arrays.copyOf(message, Math.max(message.length * 2, messageLength + len));
            }
            in.readFully(message, messageLength, len);
            messageLength += len;
            framesInMessage++;
            if (fin) {
                if (framesInMessage > 1) {
                    fragmentedMessages++;
                }
                handler.onText(message, 0, messageLength);
                return true;
            }
        }
    }

    /**
     * The next message as text, or null when the server closed the connection first; waits at
     * most {@code timeout} (then {@link java.net.SocketTimeoutException}). For tests, not for
     * measuring: it copies every message into a String.
     */
    public String readText(Duration timeout) throws IOException {
        String[] text = {null};
        readTimeout(timeout);
        try {
            readFrame((b, o, l) -> text[0] = new String(b, o, l, StandardCharsets.UTF_8));
        } finally {
            if (!socket.isClosed()) {
                readTimeout(Duration.ZERO);
            }
        }
        return text[0];
    }

    /** Reads and hands over messages until the server closes or the socket ends. */
    public void readAll(Handler handler) throws IOException {
        while (readFrame(handler)) {
            // keep reading
        }
    }

    /** Whether {@link #readFrame} answers the server's pings (default); a dead client does not. */
    public void answerPings(boolean answer) {
        answerPings = answer;
    }

    /** Sends a ping now; the pong is handed to {@link Handler#onPong} by {@link #readFrame}. */
    public void sendPing(byte[] payload) throws IOException {
        synchronized (out) {
            writeFrame(OP_PING, payload, 0, payload.length);
            out.flush();
        }
    }

    /**
     * Sends a close frame with this code and keeps the socket open: {@link #readFrame} then
     * reports the server's close frame (or 1006 when the socket ends without one).
     */
    public void sendClose(int code) throws IOException {
        synchronized (out) {
            closeSent = true;
            writeFrame(OP_CLOSE, new byte[] {(byte) (code >>> 8), (byte) code}, 0, 2);
            out.flush();
        }
    }

    /** Pings read so far. */
    public long pings() {
        return pings;
    }

    /**
     * Sends the start of a frame: its header announcing {@code length} payload bytes, and
     * {@code part} of the payload, which may be shorter (the rest never comes, unless the caller
     * sends it with {@link #sendRaw}). {@code fin} false starts or continues a fragmented message.
     *
     * @param opcode 1 text, 2 binary, 0 continuation
     */
    public void sendFrameStart(boolean fin, int opcode, long length, byte[] part) throws IOException {
        synchronized (out) {
            out.write((fin ? 0x80 : 0) | opcode);
            if (length < 126) {
                out.write(0x80 | (int) length);
            } else if (length < 65536) {
                out.write(0x80 | 126);
                out.write((int) (length >>> 8));
                out.write((int) length);
            } else {
                out.write(0x80 | 127);
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >>> shift));
                }
            }
            out.write(new byte[4]); // zero masking key
            out.write(part);
            out.flush();
        }
    }

    /** Sends bytes as they are (e.g. the rest of a payload begun with {@link #sendFrameStart}). */
    public void sendRaw(byte[] bytes) throws IOException {
        synchronized (out) {
            out.write(bytes);
            out.flush();
        }
    }

    /** Messages read so far that came in more than one frame (first frame plus continuations). */
    public long fragmentedMessages() {
        return fragmentedMessages;
    }

    /** The close code the server sent (1006 when the socket ended without one), or -1 while open. */
    public int closeCode() {
        return closeCode;
    }

    /** Whether bytes have arrived that nobody has read yet. */
    public boolean hasUnreadInput() throws IOException {
        return in.available() > 0;
    }

    /** Limits how long a read may block (0 = forever). */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    /** Sends a close frame (best effort) and closes the socket. */
    @Override
    public void close() {
        try {
            if (closeCode < 0 && !closeSent && !socket.isClosed()) {
                writeFrame(OP_CLOSE, new byte[] {0x03, (byte) 0xE8}, 0, 2); // 1000
                flush();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
