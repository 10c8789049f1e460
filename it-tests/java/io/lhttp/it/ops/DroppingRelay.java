package io.lhttp.it.ops;

import io.lhttp.it.support.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback in front of a server, so a test can cut a client's connection and keep
 * it away for as long as it likes: {@link #drop()} closes every relayed connection and refuses
 * new ones (accepted, then closed at once) until {@link #resume()}. The server keeps running, so
 * what it keeps in memory (channel history) stays.
 */
final class DroppingRelay implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean away;

    DroppingRelay(int targetPort) {
        this.target = new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort);
        try {
            listener = new ServerSocket(Ports.free(), 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "relay-accept-" + listener.getLocalPort());
        accept.setDaemon(true);
        accept.start();
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + listener.getLocalPort() + "/");
    }

    /** Cuts every relayed connection (as a network failure: no WebSocket close) and refuses new ones. */
    void drop() {
        away = true;
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    /** Lets connections through again. */
    void resume() {
        away = false;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (away) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket server = new Socket();
                server.connect(target, 5000);
                open.add(client);
                open.add(server);
                if (away) { // drop() ran while this one was being connected
                    closeQuietly(client);
                    closeQuietly(server);
                    continue;
                }
                pipe(client, server);
                pipe(server, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                            out.flush();
                        }
                    } catch (IOException e) {
                        // one side went away: the other goes too
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "relay-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        drop();
        try {
            listener.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
