package io.lhttp.it.cluster;

import io.lhttp.it.support.Ports;
import io.lhttp.it.support.ServerProcess;
import io.nats.client.support.JsonParser;
import io.nats.client.support.JsonValue;
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
import java.util.function.BooleanSupplier;

/**
 * One real {@code nats-server} process on loopback, with client, route and monitoring ports of
 * its own. Ports are chosen below 32768: route ports in the ephemeral range were seen to connect
 * to themselves (STACK.md).
 */
public final class NatsNode implements AutoCloseable {

    /** Where Debian's package puts the binary; also looked up on the PATH. */
    private static final List<String> CANDIDATES =
            List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server");

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int clientPort;
    private final int clusterPort;
    private final int monitorPort;
    private final List<Integer> peerClusterPorts = new ArrayList<>();
    private final Path log;
    private Process process;
    private Path jetStreamDir; // null: no JetStream

    private NatsNode(String name) {
        this.name = name;
        this.clientPort = freePort();
        this.clusterPort = freePort();
        this.monitorPort = freePort();
        this.log = Path.of(
                System.getProperty("project.basedir", "."), "target", "nats-" + name + "-" + clientPort + ".log");
    }

    /**
     * Starts {@code count} nodes that route to each other, and waits until every node sees all
     * the others. The caller closes them (in a finally block).
     */
    public static List<NatsNode> cluster(int count) {
        return cluster(count, false);
    }

    /** As {@link #cluster(int)}, every node with JetStream ({@link #withJetStream()}): a clustered JetStream. */
    public static List<NatsNode> jetStreamCluster(int count) {
        return cluster(count, true);
    }

    private static List<NatsNode> cluster(int count, boolean jetStream) {
        List<NatsNode> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            NatsNode n = new NatsNode("node-" + i);
            nodes.add(jetStream ? n.withJetStream() : n);
        }
        for (NatsNode n : nodes) {
            for (NatsNode peer : nodes) {
                if (peer != n) {
                    n.peerClusterPorts.add(peer.clusterPort);
                }
            }
        }
        try {
            for (NatsNode n : nodes) {
                n.start();
            }
            for (NatsNode n : nodes) {
                n.awaitRoutes(count - 1);
            }
        } catch (RuntimeException | Error e) {
            nodes.forEach(NatsNode::close);
            throw e;
        }
        return nodes;
    }

    /**
     * Enables JetStream ({@code -js}) with its store in a fresh directory under {@code target/}: the
     * store outlives a restart of this node ({@link #kill()} then {@link #start()}). Call before {@link #start()}.
     */
    public NatsNode withJetStream() {
        try {
            Path target = Path.of(System.getProperty("project.basedir", "."), "target");
            Files.createDirectories(target);
            jetStreamDir = Files.createTempDirectory(target, "jetstream-" + name + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** A single node, not started yet. */
    public static NatsNode standalone(String name) {
        return new NatsNode(name);
    }

    /** The nats-server binary, or a failure that says how to install it: these tests never skip. */
    static Path binary() {
        List<Path> places = new ArrayList<>();
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                places.add(Path.of(dir, "nats-server"));
            }
        }
        CANDIDATES.forEach(c -> places.add(Path.of(c)));
        return places.stream()
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(
                        () -> new AssertionError(
                                "nats-server not found on the PATH or in /usr/sbin: install it: apt-get install -y nats-server"));
    }

    /** Starts (or starts again, on the same ports) and waits until it answers on its monitoring port. */
    public NatsNode start() {
        if (isRunning()) {
            return this;
        }
        List<String> command = new ArrayList<>(List.of(
                binary().toString(),
                "--name",
                name,
                "-a",
                "127.0.0.1",
                "-p",
                Integer.toString(clientPort),
                "-m",
                Integer.toString(monitorPort)));
        if (jetStreamDir == null || !peerClusterPorts.isEmpty()) {
            // A JetStream node with a cluster port but no routes would insist on a clustered JetStream and exit.
            command.addAll(List.of("--cluster_name", "lhttp-it", "--cluster", "nats://127.0.0.1:" + clusterPort));
        }
        if (jetStreamDir != null) {
            command.addAll(List.of("-js", "-sd", jetStreamDir.toString()));
        }
        if (!peerClusterPorts.isEmpty()) {
            command.add("--routes");
            command.add(String.join(
                    ",",
                    peerClusterPorts.stream().map(p -> "nats://127.0.0.1:" + p).toList()));
        }
        try {
            Files.createDirectories(log.getParent());
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        // A node of a clustered JetStream is only healthy once a quorum of its peers is up: the server itself first.
        String health =
                jetStreamDir != null && !peerClusterPorts.isEmpty() ? "/healthz?js-enabled-only=true" : "/healthz";
        await(Duration.ofSeconds(20), () -> status(health) == 200, name + " did not answer " + health + "; see " + log);
        return this;
    }

    /** Waits until this node has routes to {@code peers} other nodes. */
    public void awaitRoutes(int peers) {
        await(
                Duration.ofSeconds(30),
                () -> monitor("/routez").map.get("num_routes").i >= peers,
                name + " did not see " + peers + " routes; see " + log);
    }

    /** SIGKILL: the node crashes, as in an outage; its sockets are closed by the kernel. */
    public void kill() {
        Process p = process;
        process = null;
        if (p != null) {
            p.destroyForcibly();
            waitFor(p);
        }
    }

    /**
     * SIGSTOP: the node hangs with its sockets open, as a frozen process or an unreachable host
     * does; only pings can tell. {@link #thaw()} resumes it; {@link #close()} thaws first.
     */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        signal("CONT");
    }

    private void signal(String name) {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException(this.name + " is not running");
        }
        ServerProcess.signal(p.pid(), name);
    }

    /** SIGTERM and wait. Idempotent. */
    @Override
    public void close() {
        Process p = process;
        if (p != null && p.isAlive()) {
            thaw(); // a frozen process would not act on SIGTERM
        }
        process = null;
        if (p != null) {
            p.destroy();
            if (!waitFor(p)) {
                p.destroyForcibly();
                waitFor(p);
            }
        }
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String name() {
        return name;
    }

    /** {@code nats://127.0.0.1:<client port>} */
    public String url() {
        return "nats://127.0.0.1:" + clientPort;
    }

    public int monitorPort() {
        return monitorPort;
    }

    /** GET a monitoring endpoint (e.g. {@code /connz?subs=1}) and parse its JSON. */
    public JsonValue monitor(String pathAndQuery) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(monitorUri(pathAndQuery))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(pathAndQuery + " answered " + r.statusCode());
            }
            return JsonParser.parse(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Subscriptions on this node held by the client connection named {@code connectionName} for
     * exactly {@code subject}; -1 when no such connection is attached here.
     */
    public int subscriptions(String connectionName, String subject) {
        JsonValue connz = monitor("/connz?subs=1&limit=1024");
        List<JsonValue> conns = connz.map.get("connections").array;
        if (conns == null) {
            return -1;
        }
        for (JsonValue c : conns) {
            JsonValue n = c.map.get("name");
            if (n != null && connectionName.equals(n.string)) {
                JsonValue subs = c.map.get("subscriptions_list");
                if (subs == null || subs.array == null) {
                    return 0;
                }
                return (int) subs.array.stream()
                        .filter(s -> subject.equals(s.string))
                        .count();
            }
        }
        return -1;
    }

    /** Whether the client connection named {@code connectionName} is attached to this node. */
    public boolean hasConnection(String connectionName) {
        return isRunning() && subscriptions(connectionName, "\u0000") >= 0;
    }

    private URI monitorUri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + monitorPort + pathAndQuery);
    }

    private int status(String path) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(monitorUri(path))
                                    .timeout(Duration.ofSeconds(2))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void await(Duration timeout, BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + log + tail());
            }
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException notYet) {
                // not answering yet
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS); // the poll interval, and notices an exit at once
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(failure + tail());
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean waitFor(Process p) {
        try {
            return p.waitFor(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A free loopback port below the ephemeral range, see {@link Ports}. */
    static int freePort() {
        return Ports.free();
    }
}
