package io.lhttp.it.upstream;

import io.lhttp.it.support.UberJarServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One backend and one lhttp server for all upstream and multipart ITs of a test run (each
 * server start costs ~10-20 s): the backend starts first on a free port, because the server's
 * allow-list must name it before the server starts. Closed at the end of the run.
 *
 * <p>Server configuration: calls allowed under {@code <backend>/allowed/} and to a port where
 * nothing listens; timeout 2 s; 2 calls in flight per connection; responses up to 4096 bytes;
 * 8 multipart parts.
 */
final class Environment implements ExtensionContext.Store.CloseableResource {

    static final int TIMEOUT_MS = 5000; // long enough that a loaded machine never times out a call that should answer
    static final int MAX_IN_FLIGHT = 2;
    /** All connections together: one more than a connection may have. */
    static final int MAX_IN_FLIGHT_TOTAL = MAX_IN_FLIGHT + 1;

    static final int MAX_RESPONSE_BYTES = 4096;
    static final int MAX_PARTS = 8;

    private static volatile Environment current;

    final Backend backend;
    /** A loopback port nothing listens on, allowed by the server: calls there are refused connections. */
    final int closedPort;
    /** Bound but neither listening nor connected: holds {@link #closedPort} so no server can take it meanwhile. */
    private final Socket closedPortHolder;

    final UberJarServer server;

    private Environment() {
        try {
            backend = new Backend();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            closedPortHolder = new Socket();
            closedPortHolder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            backend.close();
            throw new UncheckedIOException(e);
        }
        closedPort = closedPortHolder.getLocalPort();
        try {
            server = UberJarServer.start(
                    "-Dlhttp.upstream.allow=" + backend.base() + "/allowed/,http://127.0.0.1:" + closedPort + "/",
                    "-Dlhttp.upstream.timeout=" + TIMEOUT_MS,
                    "-Dlhttp.upstream.max-in-flight=" + MAX_IN_FLIGHT,
                    "-Dlhttp.upstream.max-in-flight-total=" + MAX_IN_FLIGHT_TOTAL,
                    "-Dlhttp.upstream.max-response-bytes=" + MAX_RESPONSE_BYTES,
                    "-Dlhttp.max-parts=" + MAX_PARTS);
        } catch (RuntimeException e) {
            backend.close();
            closeQuietly(closedPortHolder);
            throw e;
        }
    }

    static Environment get() {
        if (current == null) {
            throw new IllegalStateException("annotate the test class with @ExtendWith(Environment.Extension.class)");
        }
        return current;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            backend.close();
            closeQuietly(closedPortHolder);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // only a port reservation
        }
    }

    /** Starts the environment once per run and closes it when the run ends. */
    public static final class Extension implements BeforeAllCallback {
        @Override
        public void beforeAll(ExtensionContext context) {
            context.getRoot()
                    .getStore(ExtensionContext.Namespace.GLOBAL)
                    .getOrComputeIfAbsent(
                            Environment.class,
                            k -> {
                                current = new Environment();
                                return current;
                            },
                            Environment.class);
        }
    }
}
