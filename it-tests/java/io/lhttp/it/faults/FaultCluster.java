package io.lhttp.it.faults;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.cluster.NatsNode;
import io.lhttp.it.support.Await;
import io.lhttp.it.support.ServerProcess;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Header;
import io.nats.client.support.JsonValue;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The cluster the faults are injected into: three {@code nats-server -js} nodes in one cluster, the
 * history stream with three replicas, three lhttp uberjar instances (instance i lists node i first).
 * Real processes on loopback; every fault is a real signal to a real process.
 */
final class FaultCluster implements AutoCloseable {

    /** History channels of the runs; {@code plain-*} channels have none. */
    static final String HISTORY = "h-*";

    static final Duration READY = Duration.ofSeconds(Long.getLong("lhttp.it.start-timeout-s", 600));

    final List<NatsNode> nodes;
    private final List<UberJarServer> instances = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private int probes;

    private FaultCluster(List<NatsNode> nodes) {
        this.nodes = nodes;
    }

    static FaultCluster start() {
        FaultCluster c = new FaultCluster(NatsNode.jetStreamCluster(3));
        try {
            List<CompletableFuture<UberJarServer>> boots = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                List<String> urls = new ArrayList<>();
                for (int k = 0; k < 3; k++) {
                    urls.add(c.nodes.get((i + k) % 3).url());
                }
                String name = "lhttp-" + (i + 1);
                c.names.add(name);
                UberJarServer.Builder b = UberJarServer.builder()
                        .startTimeout(READY)
                        .logFile(Path.of(
                                System.getProperty("project.basedir", "."),
                                "target",
                                "faults-" + name + "-" + System.currentTimeMillis() + ".log"))
                        .jvmOption("-Xmx384m")
                        .jvmOption("-XX:TieredStopAtLevel=1")
                        .jvmOption("-Dlhttp.instance-name=" + name)
                        .jvmOption("-Dlhttp.nats.url=" + String.join(",", urls))
                        .jvmOption("-Dlhttp.nats.ping-interval-ms=1000")
                        .jvmOption("-Dlhttp.history.channels=" + HISTORY)
                        .jvmOption("-Dlhttp.history.size=1000")
                        .jvmOption("-Dlhttp.jetstream.replicas=3")
                        .jvmOption("-Dlhttp.jetstream.required=true");
                boots.add(CompletableFuture.supplyAsync(b::start));
            }
            for (CompletableFuture<UberJarServer> boot : boots) {
                c.instances.add(boot.join());
            }
            for (int i = 0; i < 3; i++) {
                c.awaitHistory(i);
            }
        } catch (RuntimeException | Error e) {
            c.close();
            throw e;
        }
        return c;
    }

    int size() {
        return instances.size();
    }

    String name(int i) {
        return names.get(i);
    }

    URI ws(int i) {
        return instances.get(i).wsUri();
    }

    URI http(int i) {
        return instances.get(i).httpUri();
    }

    boolean running(int i) {
        return instances.get(i).isRunning();
    }

    /**
     * Waits until instance {@code i} keeps history in the replicated stream: a subscribe with
     * positions to a fresh history channel is answered with a position.
     */
    void awaitHistory(int i) {
        long deadline = System.nanoTime() + READY.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try (LhttpClient c = LhttpClient.connect(ws(i), new LhttpClient.Options().reconnect(false))) {
                if (c.awaitOpen(Duration.ofSeconds(10))) {
                    String channel = "h-probe-" + (++probes);
                    io.lhttp.protocol.Message m = c.request(
                                    "subscribe",
                                    List.of(new Header("subscribe", channel), new Header("positions", "true")),
                                    "",
                                    Duration.ofSeconds(10))
                            .get(15, TimeUnit.SECONDS);
                    last = m.frame();
                    if (m.header("position") != null) {
                        return;
                    }
                }
            } catch (Exception e) {
                last = e.toString();
            }
            try {
                TimeUnit.MILLISECONDS.sleep(250); // between probes, bounded by the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(name(i) + " never kept history; last: " + last);
    }

    // --- faults on lhttp instances ---

    /** {@code kill -9}: the instance dies with its connections; its clients see the socket drop. */
    void killLhttp(int i) {
        signal(instances.get(i).pid(), "KILL");
        try {
            Await.until(Duration.ofSeconds(20), () -> !instances.get(i).isRunning(), name(i) + " exited");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts instance {@code i} again on its port (after a kill or a stop) and waits until it keeps history. */
    void restartLhttp(int i) {
        instances.get(i).restart();
        awaitHistory(i);
    }

    void freezeLhttp(int i) {
        signal(instances.get(i).pid(), "STOP");
    }

    void thawLhttp(int i) {
        signal(instances.get(i).pid(), "CONT");
    }

    // --- faults on NATS nodes ---

    /** The index of the node leading the history stream, asked of every running node's /jsz; -1 while none. */
    int streamLeader() {
        for (NatsNode n : nodes) {
            if (!n.isRunning()) {
                continue;
            }
            try {
                JsonValue jsz = n.monitor("/jsz?streams=true");
                JsonValue accounts = jsz.map.get("account_details");
                if (accounts == null || accounts.array == null) {
                    continue;
                }
                for (JsonValue a : accounts.array) {
                    JsonValue streams = a.map.get("stream_detail");
                    if (streams == null || streams.array == null) {
                        continue;
                    }
                    for (JsonValue s : streams.array) {
                        JsonValue cluster = s.map.get("cluster");
                        JsonValue leader = cluster == null ? null : cluster.map.get("leader");
                        if ("LHTTP".equals(s.map.get("name").string) && leader != null && leader.string != null) {
                            for (int k = 0; k < nodes.size(); k++) {
                                if (nodes.get(k).name().equals(leader.string)
                                        && nodes.get(k).isRunning()) {
                                    return k;
                                }
                            }
                        }
                    }
                }
            } catch (RuntimeException notAnswering) {
                // a node that just started; ask the next
            }
        }
        return -1;
    }

    /** Waits until the stream has a leader among the running nodes, and returns it. */
    int awaitStreamLeader(Duration timeout) throws InterruptedException {
        int[] leader = {-1};
        Await.until(timeout, () -> (leader[0] = streamLeader()) >= 0, "a leader of the history stream");
        return leader[0];
    }

    /** Starts node {@code i} again and waits until its JetStream is current ({@code /healthz}). */
    void restartNode(int i) throws InterruptedException {
        NatsNode n = nodes.get(i);
        n.start();
        Await.untilAnswered(Duration.ofSeconds(60), () -> n.monitor("/healthz") != null, n.name() + " healthy");
    }

    private static void signal(long pid, String signal) {
        if (pid <= 0) {
            throw new IllegalStateException("not running");
        }
        ServerProcess.signal(pid, signal);
    }

    @Override
    public void close() {
        for (UberJarServer s : instances) {
            try {
                if (s.isRunning()) {
                    signal(s.pid(), "CONT"); // a frozen JVM would not act on SIGTERM
                }
                s.close();
            } catch (RuntimeException e) {
                System.err.println("closing an instance: " + e);
            }
        }
        nodes.forEach(NatsNode::close);
    }
}
