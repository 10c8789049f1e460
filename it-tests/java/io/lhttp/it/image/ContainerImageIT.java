package io.lhttp.it.image;

import static io.lhttp.it.support.Frames.positionEpoch;
import static io.lhttp.it.support.Frames.positionOffset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.image.Manifests;
import io.lhttp.it.browser.ChatPage;
import io.lhttp.it.support.Ports;
import io.lhttp.it.support.SdkClient;
import java.io.IOException;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The container image of this build (the top-level Dockerfile, built by server-config/image/build.sh
 * in pre-integration-test on a base made from Debian packages) run the way a user runs it: three
 * containers of it and one nats-server {@code -js} container on one podman network, each instance
 * published on its own loopback port and configured by environment variables only. One class and
 * one start of the four containers (in parallel) for every check, to keep CI time down.
 *
 * <p>Fails, never skips, when podman or the image is missing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {

    static final String IMAGE = System.getProperty("lhttp.image", "localhost/lhttp:ci");
    static final String NATS_IMAGE = System.getProperty("lhttp.nats.image", "localhost/lhttp-nats:ci");
    static final String TOKEN = "image-it-token";
    /** A boot of Payara Micro is 15-22 s in a container on an idle machine; three at once on 2 busy cores, more. */
    static final Duration START = Duration.ofSeconds(480);
    /** lhttp.shutdown-drain-ms, given to the containers, and the engine's grace before SIGKILL. */
    static final int DRAIN_MS = 3000;

    static final int STOP_GRACE_S = 60;

    static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    static String suffix;
    static String network;
    static String nats;
    static final List<String> instances = new ArrayList<>();
    static final List<Integer> ports = new ArrayList<>();
    static final List<String> started = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Podman.requireImage(IMAGE);
        Podman.requireImage(NATS_IMAGE);
        int first = Ports.free();
        suffix = "it" + first;
        network = "lhttp-" + suffix;
        Podman.run("network", "rm", "-f", network);
        Podman.run("network", "create", network).orFail("podman network create");
        nats = "lhttp-nats-" + suffix;
        started.add(nats);
        Podman.run(
                        "run",
                        "-d",
                        "--pull=never",
                        "--name",
                        nats,
                        "--network",
                        network,
                        "--network-alias",
                        "nats",
                        NATS_IMAGE,
                        "/usr/sbin/nats-server",
                        "-js",
                        "-sd",
                        "/tmp/jetstream",
                        "-p",
                        "4222")
                .orFail("starting nats-server");
        for (int i = 1; i <= 3; i++) {
            int port = i == 1 ? first : Ports.free();
            String name = "lhttp-" + i + "-" + suffix;
            instances.add(name);
            ports.add(port);
            started.add(name);
            // Configured as a user would, by environment variables only (MicroProfile Config).
            Podman.run(
                            "run",
                            "-d",
                            "--pull=never",
                            "--name",
                            name,
                            "--network",
                            network,
                            "--memory",
                            "512m",
                            "-p",
                            "127.0.0.1:" + port + ":8080",
                            "-e",
                            "LHTTP_NATS_URL=nats://nats:4222",
                            "-e",
                            "LHTTP_INSTANCE_NAME=" + name,
                            "-e",
                            "LHTTP_HISTORY_CHANNELS=chatroom,room*",
                            "-e",
                            "LHTTP_JETSTREAM_REQUIRED=true",
                            "-e",
                            "LHTTP_PUBLISH_TOKEN=" + TOKEN,
                            "-e",
                            "LHTTP_SHUTDOWN_DRAIN_MS=" + DRAIN_MS,
                            IMAGE)
                    .orFail("starting " + name);
        }
        for (int i = 0; i < 3; i++) {
            awaitReady(i);
        }
    }

    @AfterAll
    static void stop() throws IOException {
        Path target = Path.of(System.getProperty("project.basedir", "."), "target");
        for (String name : started) {
            Files.writeString(
                    target.resolve("container-" + name + ".log"),
                    Podman.run("logs", name).output(),
                    StandardCharsets.UTF_8);
        }
        if (!started.isEmpty()) {
            List<String> rm = new ArrayList<>(List.of("rm", "-f", "-t", "5"));
            rm.addAll(started);
            Podman.run(rm.toArray(String[]::new));
        }
        if (network != null) Podman.run("network", "rm", "-f", network);
    }

    /**
     * Until the instance answers readiness with 200. Polled every 500 ms, not at Await's pace: each
     * look at the container is a podman process, and three Payara boots already share 2 cores.
     */
    static void awaitReady(int i) throws InterruptedException {
        String name = instances.get(i);
        URI ready = http(i, "/health/ready");
        long deadline = System.nanoTime() + START.toNanos();
        String last = "no answer";
        for (int poll = 0; ; poll++) {
            try {
                int status = status(ready, Map.of());
                if (status == 200) return;
                last = "HTTP " + status;
            } catch (RuntimeException e) {
                last = e.toString();
            }
            if (poll % 10 == 0
                    && !"true"
                            .equals(Podman.run("inspect", "-f", "{{.State.Running}}", name)
                                    .output())) {
                throw new AssertionError(name + " exited before " + ready + " answered: "
                        + Podman.run("logs", "--tail", "40", name).output());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": " + ready + " did not answer 200 within " + START + " (last: " + last
                        + ")\n" + Podman.run("logs", "--tail", "40", name).output());
            }
            TimeUnit.MILLISECONDS.sleep(500); // poll interval, bounded by the deadline
        }
    }

    static URI http(int i, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(i) + path);
    }

    static URI ws(int i) {
        return URI.create("ws://127.0.0.1:" + ports.get(i) + "/");
    }

    static int status(URI uri, Map<String, String> headers) {
        return get(uri, headers).statusCode();
    }

    static HttpResponse<String> get(URI uri, Map<String, String> headers) {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
        headers.forEach(b::header);
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> publish(int i, String frame, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(http(i, "/publish"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(frame));
        if (authorization != null) b.header("Authorization", authorization);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @Order(1)
    void runsAsUid10001WithTheImagesHealthCheckPassing() {
        String status = Podman.run("exec", instances.get(0), "cat", "/proc/1/status")
                .orFail("podman exec")
                .output();
        assertTrue(status.contains("\nUid:\t10001\t10001\t10001\t10001"), status);
        assertEquals(
                "10001:10001",
                Podman.run("inspect", "-f", "{{.Config.User}}", instances.get(0))
                        .output());
        // The HEALTHCHECK of the Dockerfile (a Java probe: the base needs nothing but java), run by the engine.
        Podman.Result check = Podman.run("healthcheck", "run", instances.get(0));
        assertEquals(0, check.exit(), "HEALTHCHECK: " + check.output());
        assertEquals(
                "healthy",
                Podman.run("inspect", "-f", "{{.State.Health.Status}}", instances.get(0))
                        .output());
    }

    @Test
    @Order(2)
    void healthEndpointsAnswerThroughThePortForward() {
        assertEquals(200, status(http(0, "/health/ready"), Map.of()));
        assertEquals(200, status(http(0, "/health/live"), Map.of()));
        HttpResponse<String> ready = get(http(0, "/health/ready"), Map.of());
        assertTrue(ready.body().contains("lhttp-bus") && ready.body().contains("UP"), ready.body());
        // Operator endpoints: the token, set by LHTTP_PUBLISH_TOKEN, opens them from outside the container.
        assertEquals(401, status(http(0, "/lhttp/status"), Map.of()));
        assertEquals(200, status(http(0, "/lhttp/status"), Map.of("Authorization", "Bearer " + TOKEN)));
    }

    @Test
    @Order(2)
    void everyKubernetesProbeAnswersFromTheImage() throws Exception {
        List<Manifests.Probe> probes = Manifests.probes();
        assertTrue(probes.size() >= 2, probes.toString());
        for (Manifests.Probe probe : probes) {
            // The container's port 8080 is what the test publishes on 127.0.0.1:port.
            assertEquals(8080, probe.port(), probe.toString());
            assertEquals(200, status(http(0, probe.path()), Map.of()), probe.toString());
        }
    }

    @Test
    @Order(3)
    void protocolAndPublishWithTheTokenFromOutside() throws Exception {
        try (SdkClient c = SdkClient.connect(ws(0))) {
            c.send("LHTTP/1.0 chat\r\nsubscribe:plain\r\npublish:plain\r\n\r\nhello container");
            assertEquals("LHTTP/1.0 chat\r\nsubscribe:plain\r\npublish:plain\r\n\r\nhello container", c.next());
            c.send("LHTTP/1.0 echo\r\n\r\nping");
            assertEquals("LHTTP/1.0 echo\r\n\r\nping", c.next());
            String posted = "LHTTP/1.0 chat\r\npublish:plain\r\n\r\nposted from the host";
            // Behind the port forward the server sees the bridge's gateway, not loopback: without the
            // token nobody may publish (it would be 403 without LHTTP_PUBLISH_TOKEN set).
            assertEquals(401, publish(0, posted, null).statusCode());
            HttpResponse<String> ok = publish(0, posted, "Bearer " + TOKEN);
            assertEquals(202, ok.statusCode(), ok.body());
            assertEquals(posted, c.next());
        }
    }

    @Test
    @Order(4)
    void aMessageCrossesInstancesAndHistoryIsRecoveredOnAThird() throws Exception {
        try (SdkClient onOne = SdkClient.connect(ws(0));
                SdkClient onTwo = SdkClient.connect(ws(1))) {
            String answer = subscribe(onOne, "room1", null);
            assertTrue(answer.startsWith("LHTTP/1.0 subscribed\r\nchannel:room1\r\nposition:"), answer);
            onTwo.send("LHTTP/1.0 chat\r\npublish:room1\r\n\r\none");
            String one = onOne.next();
            assertTrue(one.startsWith("LHTTP/1.0 chat\r\nposition:") && one.endsWith("\r\n\r\none"), one);
            String since = positionEpoch(one) + ":" + positionOffset(one);
            onOne.close();
            HttpResponse<String> two = publish(1, "LHTTP/1.0 chat\r\npublish:room1\r\n\r\ntwo", "Bearer " + TOKEN);
            assertEquals(202, two.statusCode(), two.body()); // answered once the stream has it
            try (SdkClient onThree = SdkClient.connect(ws(2))) {
                String replayed = onThree.send("LHTTP/1.0 chat\r\nsince:" + since + "\r\nsubscribe:room1\r\n\r\n")
                        .next();
                assertTrue(replayed.endsWith("\r\n\r\ntwo"), replayed);
                assertEquals(positionOffset(one) + 1, positionOffset(replayed));
                String subscribed = onThree.next();
                assertTrue(
                        subscribed.startsWith("LHTTP/1.0 subscribed\r\nchannel:room1\r\n")
                                && subscribed.contains("recovered:true\r\n"),
                        subscribed);
            }
        }
    }

    @Test
    @Order(5)
    void chatDemoPagesOnTwoInstancesTalk() {
        try (ChatPage ann = ChatPage.demo(http(0, "/"), "image", "ann");
                ChatPage bob = ChatPage.demo(http(2, "/"), "image", "bob")) {
            ann.awaitState("connected", ChatPage.WAIT);
            bob.awaitState("connected", ChatPage.WAIT);
            bob.sayAndAwaitEcho("bob is here");
            ann.sayAndAwaitEcho("hello from the container on " + ports.get(0));
            bob.awaitMessage("hello from the container on " + ports.get(0));
        }
    }

    @Test
    @Order(6)
    void sigtermDrainsAndTheContainerExitsOnItsOwn() throws Exception {
        String name = instances.get(1);
        try (SdkClient open = SdkClient.connect(ws(1))) {
            long t0 = System.nanoTime();
            // podman stop: SIGTERM (the image's STOPSIGNAL), SIGKILL only after STOP_GRACE_S.
            Podman.run(Duration.ofSeconds(STOP_GRACE_S + 30), "stop", "-t", Integer.toString(STOP_GRACE_S), name)
                    .orFail("podman stop");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            LhttpClient.Close close = open.awaitClose();
            assertEquals(1001, close.code(), "drained, then going away: " + close);
            int exit = Integer.parseInt(
                    Podman.run("inspect", "-f", "{{.State.ExitCode}}", name).output());
            assertTrue(exit == 0 || exit == 143, "exited on its own with 0 or 143, not killed (137): " + exit);
            assertTrue(ms < STOP_GRACE_S * 1000L, "stopped within the grace: " + ms + " ms");
            System.out.println(
                    "ContainerImageIT: podman stop took " + ms + " ms (drain " + DRAIN_MS + " ms), exit " + exit);
        }
    }

    private static String subscribe(SdkClient c, String channel, String since) throws Exception {
        c.send("LHTTP/1.0 chat\r\n" + (since == null ? "positions:true\r\n" : "since:" + since + "\r\n") + "subscribe:"
                + channel + "\r\n\r\n");
        return c.next();
    }
}
