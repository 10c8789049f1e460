package io.lhttp.it.cluster;

import io.lhttp.it.support.ServerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One lhttp instance as a user runs it: {@code java -Dlhttp.nats.url=... -jar target/lhttp.jar
 * --port P} (Payara Micro running the WAR) as a child process on a free loopback port. Started
 * when the application itself answers, never on Payara's "ready" line (printed even when the
 * deployment failed). Stopped with SIGTERM so Payara removes its runtime directory.
 */
final class LhttpInstance extends ServerProcess {

    /** ~15 s alone; minutes on a 2-core machine shared with other builds. {@code -Dlhttp.it.start-timeout-s=N}. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("lhttp.it.start-timeout-s", 600));

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Process process;

    private LhttpInstance(String name, List<String> jvmOptions) {
        this(name, NatsNode.freePort(), jvmOptions);
    }

    private LhttpInstance(String name, int port, List<String> jvmOptions) {
        super(Path.of(System.getProperty("project.basedir", "."))
                .resolve("target")
                .resolve("lhttp-" + name + "-" + port + ".log"));
        this.name = name;
        this.port = port;
        Path basedir = Path.of(System.getProperty("project.basedir", "."));
        Path jar = Path.of(System.getProperty(
                "lhttp.uberjar", basedir.resolve("target/lhttp.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run `mvn package` first");
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        // C1 only: a much cheaper boot when the CPUs are contended; fast enough for these tests.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-Dlhttp.instance-name=" + name);
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--port", Integer.toString(port)));
        try {
            process = startProcess(new ProcessBuilder(command), "", true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Launches an instance; call {@link #awaitStarted()} before use (so that several boot in parallel). */
    static LhttpInstance launch(String name, String... jvmOptions) {
        return new LhttpInstance(name, List.of(jvmOptions));
    }

    /** One instance to {@link #startAll}: its name and JVM options. */
    record Launch(String name, String... jvmOptions) {}

    /**
     * Launches the instances together (their boots overlap) and waits for every one. When one does
     * not start, closes them all and {@code alsoOnFailure} (e.g. the NATS node) before rethrowing.
     */
    static List<LhttpInstance> startAll(AutoCloseable alsoOnFailure, Launch... launches) {
        return startAll(alsoOnFailure, LhttpInstance::awaitStarted, launches);
    }

    /** As {@link #startAll}, then waits until each keeps history ({@link #awaitHistory}, probing {@code probePrefix}). */
    static List<LhttpInstance> startAllWithHistory(
            AutoCloseable alsoOnFailure, String probePrefix, Launch... launches) {
        return startAll(alsoOnFailure, i -> i.awaitStarted().awaitHistory(probePrefix), launches);
    }

    private static List<LhttpInstance> startAll(
            AutoCloseable alsoOnFailure, java.util.function.Consumer<LhttpInstance> ready, Launch... launches) {
        List<LhttpInstance> started = new ArrayList<>();
        try {
            for (Launch l : launches) {
                started.add(launch(l.name(), l.jvmOptions()));
            }
            started.forEach(ready);
            return started;
        } catch (RuntimeException | Error e) {
            List<AutoCloseable> all = new ArrayList<>(started);
            all.add(alsoOnFailure);
            try {
                closeAll(all.toArray(AutoCloseable[]::new));
            } catch (RuntimeException also) {
                e.addSuppressed(also);
            }
            throw e;
        }
    }

    /**
     * Closes each in order (nulls skipped), every one even when an earlier close fails; the first
     * failure is thrown afterwards, the later ones suppressed in it.
     */
    static void closeAll(AutoCloseable... all) {
        RuntimeException failed = null;
        for (AutoCloseable c : all) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (Exception e) {
                if (failed == null) {
                    failed = e instanceof RuntimeException r ? r : new IllegalStateException("closing " + c, e);
                } else {
                    failed.addSuppressed(e);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Waits until the instance's history in JetStream is set up (in the background, after its NATS
     * connection): until a subscribe with positions to {@code channelPrefix + n}, a channel that
     * keeps history, is answered with a position.
     */
    LhttpInstance awaitHistory(String channelPrefix) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = null;
        int n = 0;
        try {
            while (System.nanoTime() < deadline) {
                try (io.lhttp.it.support.SdkClient c = io.lhttp.it.support.SdkClient.connect(ws())) {
                    c.send("LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:" + channelPrefix + n++ + "\r\n\r\n");
                    last = c.next();
                    if (last.contains("position:")) {
                        return this;
                    }
                }
                TimeUnit.MILLISECONDS.sleep(200); // between probes, bounded by the deadline
            }
        } catch (Exception e) {
            throw new IllegalStateException(name + ": probing its history failed" + tail(), e);
        }
        throw new AssertionError(name + " never answered with a position; last: " + last + tail());
    }

    /** Launches an instance on a given port: to start one again where its clients reconnect. */
    static LhttpInstance launchOnPort(String name, int port, String... jvmOptions) {
        return new LhttpInstance(name, port, List.of(jvmOptions));
    }

    int port() {
        return port;
    }

    /** Waits until {@code GET /} answers 200 from the application. */
    LhttpInstance awaitStarted() {
        awaitReady(process, START_TIMEOUT, name, http("/") + " did not answer 200", () -> {
            int status = get("/").statusCode();
            return status == 200 ? null : "HTTP " + status;
        });
        return this;
    }

    String name() {
        return name;
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + port + "/");
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(http(path))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    HttpResponse<String> post(String path, String body) throws IOException {
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(http(path))
                            .timeout(Duration.ofSeconds(5))
                            .header("Content-Type", "text/plain; charset=UTF-8")
                            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    String tail() {
        return logTail();
    }

    /** SIGSTOP / SIGCONT: the instance hangs with its sockets open (as a frozen or unreachable one) / resumes. */
    void signal(String name) {
        signal(process.pid(), name);
    }

    /** SIGTERM and wait, so Payara cleans up after itself. */
    @Override
    public void close() {
        stopProcess();
    }
}
