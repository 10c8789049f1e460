package com.example.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The app as its users meet it: {@code target/chat-app.jar} (Payara Micro with the WAR) on a free
 * loopback port, WebSocket clients over a real socket, {@code POST /publish} over HTTP, and two
 * headless Chromium pages (the Debian chromium and chromedriver; nothing is downloaded).
 */
class ChatAppIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static Process server;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        port = freePort();
        Path jar = Path.of(System.getProperty("chat-app.jar", "target/chat-app.jar"));
        File log = jar.resolveSibling("chat-app-server-" + port + ".log").toFile();
        server = new ProcessBuilder(javaBin(), "-jar", jar.toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log).start();
        // Started when the page answers 200 (Payara logs "ready" even when a deployment failed).
        long deadline = System.nanoTime() + Duration.ofSeconds(300).toNanos();
        while (true) {
            if (!server.isAlive()) {
                fail("chat-app.jar exited: " + tail(log));
            }
            try {
                if (HTTP.send(HttpRequest.newBuilder(uri("http", "/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                fail("chat-app.jar did not start in 300 s: " + tail(log));
            }
            server.waitFor(250, TimeUnit.MILLISECONDS); // returns early if it dies
        }
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (server != null) {
            server.destroy(); // SIGTERM: Payara removes its runtime directory
            if (!server.waitFor(60, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aJoinIsAnnouncedToTheRoomThroughThePublishApi() throws Exception {
        try (Client alice = Client.open(); Client bob = Client.open()) {
            alice.send("LHTTP/1.0 join\r\nnick:alice\r\nsubscribe:hall\r\n\r\n");
            assertEquals("LHTTP/1.0 members\r\n\r\nalice", alice.next());
            alice.roundTrip(); // alice is subscribed now
            bob.send("LHTTP/1.0 join\r\nnick:bob\r\nsubscribe:hall\r\n\r\n");
            String members = bob.next();
            assertTrue(members.startsWith("LHTTP/1.0 members\r\n\r\n") && members.contains("alice")
                    && members.contains("bob"), members);
            assertEquals("LHTTP/1.0 joined\r\nnick:bob\r\nroom:hall\r\n\r\n", alice.next());
            // Answered from a ManagedExecutorService thread (WhoProcessor).
            alice.send("LHTTP/1.0 who\r\nroom:hall\r\n\r\n");
            assertEquals("LHTTP/1.0 members\r\nroom:hall\r\n\r\nalice\nbob", alice.next());
            // A leave is announced by the @Closed observer through the injected Channels.
            bob.close();
            assertEquals("LHTTP/1.0 left\r\nnick:bob\r\nroom:hall\r\n\r\n", alice.next());
        }
    }

    @Test
    void theFilterRefusesTheBannedWordOverWebSocketAndOverHttp() throws Exception {
        try (Client carol = Client.open(); Client dave = Client.open()) {
            carol.send("LHTTP/1.0 join\r\nnick:carol\r\nsubscribe:den\r\n\r\n");
            carol.next(); // members
            carol.roundTrip();
            dave.send("LHTTP/1.0 join\r\nnick:dave\r\nsubscribe:den\r\n\r\n");
            dave.next(); // members
            carol.next(); // joined
            dave.roundTrip();

            // WebSocket: the sender gets 403; the room gets nothing (the next frame dave sees is the clean one).
            dave.send("LHTTP/1.0 chat\r\nnick:dave\r\npublish:den\r\n\r\nyou BadWord you");
            assertEquals("LHTTP/1.0 error\r\ncode:403\r\nreason:message refused: it contains a banned word\r\n\r\n",
                    dave.next());
            // POST /publish: the same filter, HTTP 403, nothing published.
            HttpResponse<String> refused = post("LHTTP/1.0 chat\r\npublish:den\r\n\r\nbadword from http");
            assertEquals(403, refused.statusCode(), refused.body());
            HttpResponse<String> accepted = post("LHTTP/1.0 chat\r\npublish:den\r\n\r\nhello from http");
            assertEquals(202, accepted.statusCode(), accepted.body());
            assertEquals("LHTTP/1.0 chat\r\npublish:den\r\n\r\nhello from http", carol.next());
            dave.send("LHTTP/1.0 chat\r\nnick:dave\r\npublish:den\r\n\r\nclean");
            assertEquals("LHTTP/1.0 chat\r\npublish:den\r\n\r\nhello from http", dave.next());
            assertEquals("LHTTP/1.0 chat\r\nnick:dave\r\npublish:den\r\n\r\nclean", carol.next());
        }
    }

    @Test
    void theSdkIsServedBesideThePageWithCorsForOtherOrigins() throws Exception {
        HttpResponse<String> sdk = HTTP.send(HttpRequest.newBuilder(uri("http", "/lhttp.js"))
                .header("Origin", "https://elsewhere.example").timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, sdk.statusCode());
        assertTrue(sdk.body().contains("export function connect"), "not the SDK");
        assertEquals("*", sdk.headers().firstValue("Access-Control-Allow-Origin").orElse("(none)"));
        HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(uri("http", "/")).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(page.body().contains("chat-app"), "not the template's page");
        assertTrue(page.headers().firstValue("Access-Control-Allow-Origin").isEmpty(), "CORS is for the SDK files only");
        // The library brings no example processor: echo has no processor here, so nothing answers it...
        try (Client c = Client.open()) {
            c.send("LHTTP/1.0 echo\r\n\r\nhello");
            c.roundTrip(); // ...and the next frame is the round trip's own
        }
    }

    @Test
    void twoBrowsersChatThroughTheSdkPage() {
        WebDriver ann = chromium();
        WebDriver ben = null;
        try {
            ann.get(uri("http", "/?room=garden&nick=ann").toString());
            new WebDriverWait(ann, WAIT).until(ExpectedConditions.textToBe(By.id("members"), "ann"));
            ben = chromium();
            ben.get(uri("http", "/?room=garden&nick=ben").toString());
            new WebDriverWait(ann, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("messages"), "ben joined"));
            new WebDriverWait(ben, WAIT).until(ExpectedConditions.textToBe(By.id("members"), "ann, ben"));
            ben.findElement(By.id("text")).sendKeys("hi ann\n");
            new WebDriverWait(ann, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("messages"), "ben: hi ann"));
            ann.findElement(By.id("text")).sendKeys("badword\n");
            new WebDriverWait(ann, WAIT).until(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("messages"), "error 403"));
        } finally {
            ann.quit();
            if (ben != null) {
                ben.quit();
            }
        }
    }

    private static HttpResponse<String> post(String frame) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri("http", "/publish")).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.ofString(frame)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static WebDriver chromium() {
        String browser = System.getProperty("chromium.binary", "/usr/bin/chromium");
        String driver = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");
        if (!new File(browser).canExecute() || !new File(driver).canExecute()) {
            fail("the browser test needs " + browser + " and " + driver + ": apt-get install -y chromium chromium-driver");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser); // given paths: Selenium Manager never downloads anything
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-dev-shm-usage");
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(driver))
                .usingAnyFreePort().build(), options);
    }

    private static URI uri(String scheme, String path) {
        return URI.create(scheme + "://127.0.0.1:" + port + path);
    }

    private static int freePort() throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(20_000, 32_768);
            try (ServerSocket s = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return candidate;
            } catch (IOException inUse) {
                // another one
            }
        }
        throw new IOException("no free port in 20000-32767");
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String tail(File log) {
        try {
            List<String> lines = Files.readAllLines(log.toPath());
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** A WebSocket client that queues every text frame it receives. */
    static final class Client implements WebSocket.Listener, AutoCloseable {
        private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        private int pings;

        static Client open() throws Exception {
            Client c = new Client();
            c.socket = HTTP.newWebSocketBuilder().connectTimeout(WAIT).buildAsync(uri("ws", "/"), c)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return c;
        }

        void send(String frame) throws Exception {
            socket.sendText(frame, true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        /** The next frame, waiting at most 20 s. */
        String next() throws InterruptedException {
            String frame = frames.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            if (frame == null) {
                fail("no frame within " + WAIT);
            }
            return frame;
        }

        /**
         * Sends a message with no processor to a channel of this client alone and waits for it:
         * every frame this connection sent before has been handled by then (frames of one
         * connection are handled in order).
         */
        void roundTrip() throws Exception {
            String channel = "self-" + System.identityHashCode(this) + "-" + (++pings);
            send("LHTTP/1.0 sync\r\nsubscribe:" + channel + "\r\npublish:" + channel + "\r\nunsubscribe:" + channel
                    + "\r\n\r\n");
            String frame = next();
            assertTrue(frame.startsWith("LHTTP/1.0 sync\r\n"), frame);
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            return null;
        }

        @Override
        public void close() {
            if (socket.isOutputClosed()) {
                return;
            }
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            socket.abort();
        }
    }
}
