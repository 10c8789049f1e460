package io.lhttp.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The load tool's WebSocket layer against a scripted peer on a loopback socket: what it reads
 * is what the checks see, so frame lengths, fragments, control frames and close codes must be
 * right.
 */
class RawWebSocketTest {

    @Test
    void readsEveryFrameShapeAndSendsMaskedFrames() throws Exception {
        byte[] big = "x".repeat(70_000).getBytes(StandardCharsets.UTF_8); // 64-bit length
        byte[] mid = "y".repeat(200).getBytes(StandardCharsets.UTF_8); // 16-bit length
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    String request = readHead(in);
                    if (!request.startsWith("GET /sub/x HTTP/1.1") || !request.contains("Sec-WebSocket-Version: 13")) {
                        throw new IllegalStateException(request);
                    }
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    + "Sec-WebSocket-Accept: ignored-by-the-client\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    frame(out, 0x81, "hello".getBytes(StandardCharsets.UTF_8));
                    frame(out, 0x81, mid);
                    frame(out, 0x81, big);
                    frame(out, 0x01, "frag".getBytes(StandardCharsets.UTF_8)); // text, not final
                    frame(out, 0x89, "p".getBytes(StandardCharsets.UTF_8)); // a ping in between
                    frame(out, 0x80, "mented".getBytes(StandardCharsets.UTF_8)); // continuation, final
                    frame(out, 0x88, new byte[] {0x03, (byte) 0xF0, 'b', 'y', 'e'}); // close 1008 "bye"
                    out.flush();
                    // The client's pong and its text frame, unmasked here (key 0 must be legal too).
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    for (int i = 0; i < 2; i++) {
                        int b0 = in.readUnsignedByte();
                        int b1 = in.readUnsignedByte();
                        if ((b1 & 0x80) == 0) {
                            throw new IllegalStateException("client frame not masked");
                        }
                        byte[] key = in.readNBytes(4);
                        byte[] payload = in.readNBytes(b1 & 0x7F);
                        for (int j = 0; j < payload.length; j++) {
                            payload[j] ^= key[j % 4];
                        }
                        got.write(b0);
                        got.write(payload);
                    }
                    return got.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });

            RawWebSocket ws = RawWebSocket.connect(
                    URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/sub/x"), Duration.ofSeconds(10));
            ws.send("hi");
            List<byte[]> messages = new ArrayList<>();
            int[] close = {-1};
            String[] reason = {null};
            ws.readAll(new RawWebSocket.Handler() {
                @Override
                public void onText(byte[] buffer, int offset, int length) {
                    messages.add(java.util.Arrays.copyOfRange(buffer, offset, offset + length));
                }

                @Override
                public void onClose(int code, String why) {
                    close[0] = code;
                    reason[0] = why;
                }
            });
            assertEquals(4, messages.size());
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), messages.get(0));
            assertArrayEquals(mid, messages.get(1));
            assertArrayEquals(big, messages.get(2));
            assertArrayEquals("fragmented".getBytes(StandardCharsets.UTF_8), messages.get(3));
            assertEquals(1, ws.fragmentedMessages(), "only the last message came in several frames");
            assertEquals(1008, close[0]);
            assertEquals("bye", reason[0]);
            assertEquals(1008, ws.closeCode());
            ws.close();

            byte[] fromClient = received.get(10, TimeUnit.SECONDS);
            // text "hi" first (sent before reading), then the pong echoing "p"
            assertArrayEquals(new byte[] {(byte) 0x81, 'h', 'i', (byte) 0x8A, 'p'}, fromClient);
        }
    }

    @Test
    void aRefusedHandshakeIsAnError() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    readHead(new DataInputStream(s.getInputStream()));
                    s.getOutputStream().write("HTTP/1.1 404 Not Found\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(
                    IOException.class,
                    () -> RawWebSocket.connect(
                            URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"), Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("404"), e.getMessage());
        }
    }

    @Test
    void anEndedSocketReportsAbnormalClosure() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    readHead(new DataInputStream(s.getInputStream()));
                    s.getOutputStream()
                            .write("HTTP/1.1 101 Switching Protocols\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            RawWebSocket ws = RawWebSocket.connect(
                    URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"), Duration.ofSeconds(10));
            ws.readTimeout(Duration.ofSeconds(10));
            int[] close = {-1};
            assertFalse(ws.readFrame(new RawWebSocket.Handler() {
                @Override
                public void onText(byte[] buffer, int offset, int length) {}

                @Override
                public void onClose(int code, String reason) {
                    close[0] = code;
                }
            }));
            assertEquals(1006, close[0]);
            ws.close();
        }
    }

    @Test
    void readTextReturnsMessagesAsUtf8ThenNullAtTheCloseAndTimesOut() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = new CompletableFuture<>();
            CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    readHead(new DataInputStream(s.getInputStream()));
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 101 Switching Protocols\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    frame(out, 0x81, "ünïcode".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    peer.get(10, TimeUnit.SECONDS); // silent until the client has timed out once
                    frame(out, 0x88, new byte[] {0x03, (byte) 0xE9}); // close 1001
                    out.flush();
                    s.getInputStream().readNBytes(6); // the client's close frame
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            RawWebSocket ws = RawWebSocket.connect(
                    URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/"), Duration.ofSeconds(10));
            assertEquals("ünïcode", ws.readText(Duration.ofSeconds(10)));
            org.junit.jupiter.api.Assertions.assertThrows(
                    java.net.SocketTimeoutException.class, () -> ws.readText(Duration.ofMillis(100)));
            peer.complete(null);
            assertEquals(null, ws.readText(Duration.ofSeconds(10)), "closed");
            assertEquals(1001, ws.closeCode());
            ws.close();
        }
    }

    private static String readHead(DataInputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            sb.append((char) in.readUnsignedByte());
        }
        return sb.toString();
    }

    private static void frame(OutputStream out, int b0, byte[] payload) throws IOException {
        out.write(b0);
        if (payload.length < 126) {
            out.write(payload.length);
        } else if (payload.length < 65536) {
            out.write(126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift));
            }
        }
        out.write(payload);
    }
}
