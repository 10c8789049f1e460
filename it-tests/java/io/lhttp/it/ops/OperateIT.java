package io.lhttp.it.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.client.LhttpClient;
import io.lhttp.it.browser.Chromium;
import io.lhttp.it.support.UberJarServer;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.testkit.RawWebSocket;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Operating the packaged server (issue 11), on one uberjar with a publish token and a small send
 * queue under the close policy: the Prometheus text moves with traffic (Java client, POST
 * /publish, an error frame) and counts the connection the slow-consumer policy cuts; the
 * endpoints ask for the token; the status page shows live numbers in Chromium (screenshot to
 * docs/status-page.png); the CLI pipes frames and exits 0, 1 and 2 as documented.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OperateIT {

    private static final String TOKEN = "s3cret-operator-token";
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*\\})? (\\S+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start(
                "-Dlhttp.publish.token=" + TOKEN,
                "-Dlhttp.slow-consumer=close",
                "-Dlhttp.send-queue=64",
                "-Dlhttp.max-messages-per-second=0",
                "-Dlhttp.send-timeout-ms=600000");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void metricsAndStatusAskForTheTokenAndMaskIt() throws Exception {
        assertEquals(401, get("/lhttp/metrics", null).statusCode());
        assertEquals(401, get("/lhttp/status", null).statusCode());
        assertEquals(401, get("/lhttp/status", "wrong").statusCode());
        HttpResponse<String> metrics = get("/lhttp/metrics", TOKEN);
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), "Prometheus text");
        HttpResponse<String> status = get("/lhttp/status", TOKEN);
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"lhttp.publish.token\":\"***\""), status.body());
        assertFalse(status.body().contains(TOKEN), "the token is never shown");
        assertTrue(status.body().contains("\"lhttp.send-queue\":\"64\""), "effective configuration: " + status.body());
        // The status JSON as described in OpenAPI (a JAX-RS resource), and Payara's /openapi: the same rule.
        for (String path : List.of("/publish/status", "/openapi")) {
            assertEquals(401, get(path, null).statusCode(), path);
            assertEquals(401, get(path, "wrong").statusCode(), path);
            assertEquals(200, get(path, TOKEN).statusCode(), path);
        }
        assertFalse(get("/publish/status", TOKEN).body().contains(TOKEN), "the token is never shown");
    }

    @Test
    @Order(2)
    void metricsMoveWhenTrafficFlows() throws Exception {
        Map<String, Double> before = scrape();
        int messages = 20;
        try (LhttpClient a = LhttpClient.connect(server.wsUri());
                LhttpClient b = LhttpClient.connect(server.wsUri())) {
            CountDownLatch got = new CountDownLatch(messages + 1);
            b.onMessage(m -> got.countDown());
            CompletableFuture<LhttpClient.Error> error = new CompletableFuture<>();
            a.onError(error::complete);
            assertTrue(a.awaitOpen(WAIT) && b.awaitOpen(WAIT));
            CompletableFuture<Message> subscribed = new CompletableFuture<>();
            b.onMessage(subscribed::complete);
            b.subscribe("room", "subscribe", List.of(new Header("publish", "room")), "ready"); // echo: subscribed first
            subscribed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            for (int i = 0; i < messages; i++) {
                a.publish("room", "chat", "message " + i);
            }
            a.send("chat", List.of(new Header("publish", "not..valid")), "x"); // answered with error 400
            assertEquals(400, error.get(WAIT.toSeconds(), TimeUnit.SECONDS).code());
            HttpResponse<String> posted = HTTP.send(
                    HttpRequest.newBuilder(server.httpUri().resolve("/publish"))
                            .header("Authorization", "Bearer " + TOKEN)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "LHTTP/1.0 chat\r\npublish:room\r\n\r\nfrom http"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(202, posted.statusCode());
            assertTrue(got.await(WAIT.toSeconds(), TimeUnit.SECONDS), "b got every message");

            Map<String, Double> after = scrape();
            assertEquals(2.0, after.get("lhttp_connections_open"), "two clients open");
            assertTrue(after.get("lhttp_channels_subscribed") >= 1);
            assertTrue(delta(before, after, "lhttp_connections_opened_total") >= 2);
            assertTrue(delta(before, after, "lhttp_messages_received_total") >= messages + 2, "received");
            assertTrue(
                    delta(before, after, "lhttp_messages_published_total") >= messages + 2,
                    "published (clients and HTTP)");
            assertTrue(delta(before, after, "lhttp_messages_delivered_total") >= messages + 2, "delivered");
            assertTrue(
                    delta(before, after, "lhttp_error_frames_total{code=\"400\"}") >= 1, "error frame counted by code");
            assertTrue(
                    delta(before, after, "lhttp_http_publish_total{status=\"202\"}") >= 1,
                    "POST /publish counted by status");
            assertEquals(1.0, after.get("lhttp_bus_connected"));
        }
    }

    @Test
    @Order(3)
    void theSlowConsumerPolicysCloseIsCounted() throws Exception {
        Map<String, Double> before = scrape();
        // A client that never reads: its TCP buffers fill, then its 64-frame queue, then the close policy cuts it.
        try (RawWebSocket stalled = RawWebSocket.connect(server.wsUri(), null, WAIT, RawWebSocket.LARGE_BUFFERS, 4096);
                LhttpClient publisher = LhttpClient.connect(server.wsUri())) {
            stalled.send("LHTTP/1.0 subscribe\r\nsubscribe:slow\r\n\r\n");
            assertTrue(publisher.awaitOpen(WAIT));
            java.util.concurrent.LinkedBlockingQueue<Message> echoes = new java.util.concurrent.LinkedBlockingQueue<>();
            publisher.onMessage(echoes::add);
            // The stalled client subscribed before this (its frame came first on its connection; one more
            // round trip of our own makes sure the server has read it).
            publisher.subscribe("mine", "subscribe", List.of(new Header("publish", "mine")), "");
            echoes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            String body = "x".repeat(8000);
            Map<String, Double> now = before;
            for (int round = 0; round < 40 && delta(before, now, "lhttp_connections_closed_slow_total") < 1; round++) {
                for (int i = 0; i < 200; i++) {
                    publisher.publish("slow", "flood", body);
                }
                // The server handles one connection's frames in order: our echo back means the batch was fanned out.
                publisher.publish("mine", "mark", "round " + round);
                Message mark = echoes.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertEquals("round " + round, mark == null ? null : mark.body());
                now = scrape();
            }
            assertTrue(
                    delta(before, now, "lhttp_connections_closed_slow_total") >= 1,
                    "the stalled client's close is counted: " + now.get("lhttp_connections_closed_slow_total"));
        }
    }

    @Test
    @Order(4)
    void statusPageShowsLiveNumbers() throws Exception {
        ChromeDriver chrome = Chromium.open();
        try (LhttpClient a = LhttpClient.connect(server.wsUri())) {
            assertTrue(a.awaitOpen(WAIT));
            a.subscribe("room");
            chrome.get(server.httpUri().resolve("/status.html").toString());
            WebDriverWait wait = new WebDriverWait(chrome, WAIT);
            wait.until(d -> d.findElement(By.id("auth")).isDisplayed()); // asks for the token
            chrome.findElement(By.id("token")).sendKeys(TOKEN);
            chrome.findElement(By.cssSelector("#auth button")).click();
            wait.until(d -> !d.findElement(By.id("v-connections")).getText().equals("–"));
            String received = chrome.findElement(By.id("v-received")).getText();
            // Traffic while the page watches: the received counter on the page changes.
            CountDownLatch back = new CountDownLatch(50);
            a.onMessage(m -> back.countDown());
            for (int i = 0; i < 50; i++) {
                a.publish("room", "chat", "hello " + i);
            }
            assertTrue(back.await(WAIT.toSeconds(), TimeUnit.SECONDS));
            wait.until(d -> !d.findElement(By.id("v-received")).getText().equals(received));
            wait.until(d -> !d.findElement(By.id("c-in")).getText().equals("–")); // the rate chart has points
            for (int i = 0; i < 3; i++) { // a few seconds of chart
                String before = chrome.findElement(By.id("uptime")).getText();
                for (int j = 0; j < 30; j++) {
                    a.publish("room", "chat", "more " + j);
                }
                wait.until(d -> !d.findElement(By.id("uptime")).getText().equals(before));
            }
            assertTrue(chrome.findElement(By.id("bus")).getText().startsWith("in-process"));
            assertTrue(
                    chrome.findElement(By.id("config")).getText().contains("lhttp.publish.token ***"),
                    chrome.findElement(By.id("config")).getText());
            assertFalse(chrome.getPageSource().contains(TOKEN.substring(0, 10) + "-operator"), "no token in the page");
            Path png = Path.of(System.getProperty("project.basedir", "."), "docs", "status-page.png");
            Files.copy(chrome.getScreenshotAs(OutputType.FILE).toPath(), png, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Chromium.quit(chrome);
        }
    }

    @Test
    @Order(5)
    void cliPipesFramesAndExitsAsDocumented() throws Exception {
        Cli ok = Cli.run(
                "subscribe room\npublish room hello from the cli\nsend chat publish:room nick:ada -- a\\r\\nb\n"
                        + "LHTTP/1.0 chat\\r\\npublish:room\\r\\n\\r\\nraw\n",
                "--count",
                "3",
                "--wait",
                "30000",
                server.wsUri().toString());
        assertEquals(0, ok.exit, ok.toString());
        assertEquals(
                List.of(
                        "publish publish:room | hello from the cli",
                        "chat publish:room nick:ada | a\\r\\nb",
                        "chat publish:room | raw"),
                ok.out.lines().toList(),
                ok.toString());

        Cli json = Cli.run(
                "subscribe room\npublish room \"quoted\"\n",
                "--json",
                "--count",
                "1",
                "--wait",
                "30000",
                server.wsUri().toString());
        assertEquals(0, json.exit, json.toString());
        assertEquals(
                "{\"type\":\"message\",\"command\":\"publish\",\"headers\":[[\"publish\",\"room\"]],\"body\":\"\\\"quoted\\\"\"}",
                json.out.strip(),
                json.toString());

        Cli error = Cli.run(
                "send chat publish:bad..name -- x\n",
                "--json",
                "--count",
                "1",
                "--wait",
                "30000",
                server.wsUri().toString());
        assertEquals(0, error.exit, error.toString());
        assertTrue(error.out.startsWith("{\"type\":\"error\",\"code\":400,"), error.toString());

        Cli badLine = Cli.run("subscribe bad..name\n", server.wsUri().toString());
        assertEquals(2, badLine.exit, badLine.toString());
        assertEquals(2, Cli.run("", "--nope", server.wsUri().toString()).exit);
        assertEquals(2, Cli.run("").exit, "no URL");
        URI closed = URI.create("ws://127.0.0.1:" + UberJarServer.freePort() + "/");
        Cli refused = Cli.run("", closed.toString());
        assertEquals(1, refused.exit, refused.toString());
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    /** The samples of the Prometheus text, keyed by name plus labels without instance_name. */
    private static Map<String, Double> scrape() throws IOException, InterruptedException {
        HttpResponse<String> r = get("/lhttp/metrics", TOKEN);
        assertEquals(200, r.statusCode());
        Map<String, Double> out = new HashMap<>();
        Matcher m = SAMPLE.matcher(r.body());
        while (m.find()) {
            String labels = m.group(2) == null ? "" : m.group(2).replaceAll("instance_name=\"[^\"]*\",?", "");
            labels = labels.replace(",}", "}").equals("{}") ? "" : labels.replace(",}", "}");
            out.put(m.group(1) + labels, Double.parseDouble(m.group(3)));
        }
        return out;
    }

    private static HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(server.httpUri().resolve(path)).timeout(WAIT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** {@code java -jar target/lhttp-cli.jar}, as a user runs it. */
    record Cli(int exit, String out, String err) {
        static Cli run(String stdin, String... args) throws Exception {
            Path jar = Path.of(System.getProperty("project.basedir", "."), "target", "lhttp-cli.jar");
            List<String> command = new java.util.ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            try (var in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the CLI did not exit: " + String.join(" ", args));
            }
            return new Cli(p.exitValue(), out.get(), err.get());
        }

        private static String read(java.io.InputStream in) {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        }
    }
}
