package io.lhttp.it.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.UberJarServer;
import io.lhttp.security.Tokens;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Issue 13 as a new user tries it, in real headless Chromium: tokens on, one browser has a token
 * for {@code room-1} only: it chats in room-1 and is refused room-2; a page from another origin
 * cannot connect; a client cannot fake a server error to the others.
 */
class SecureChatIT {

    static final String SECRET = "browser-it-secret-browser-it-secret-123";
    static final Duration WAIT = Duration.ofSeconds(60);
    private static UberJarServer server;

    @BeforeAll
    static void startServer() {
        server = UberJarServer.start("-Dlhttp.auth=true", "-Dlhttp.auth.hmac-secret=" + SECRET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static String token(String user, String... channels) throws Exception {
        return Tokens.hmac(
                SECRET,
                Tokens.claims(user, Instant.now().plusSeconds(600), List.of(channels))
                        .build());
    }

    static ChromeDriver demo(URI base, String room, String nick, String token) {
        ChromeDriver driver = Chromium.open();
        driver.get(base.resolve("/?room=" + room + "&nick=" + nick + "&token=" + token)
                .toString());
        return driver;
    }

    static void awaitState(ChromeDriver d, String text) {
        new WebDriverWait(d, WAIT)
                .withMessage(() -> "state is " + d.findElement(By.id("state")).getText())
                .until(x -> text.equals(x.findElement(By.id("state")).getText()));
    }

    static List<String> log(ChromeDriver d) {
        return d.findElement(By.id("messages")).findElements(By.tagName("li")).stream()
                .map(WebElement::getText)
                .toList();
    }

    static void awaitLine(ChromeDriver d, String text) {
        new WebDriverWait(d, WAIT)
                .withMessage(() -> "'" + text + "' not in " + log(d))
                .until(x -> log(d).stream().anyMatch(line -> line.endsWith(text)));
    }

    static void say(ChromeDriver d, String text) {
        d.findElement(By.id("text")).sendKeys(text);
        d.findElement(By.cssSelector("#say button")).click();
    }

    static Object runAsync(ChromeDriver d, String body, Object... args) {
        d.manage().timeouts().scriptTimeout(WAIT);
        return d.executeAsyncScript("const done = arguments[arguments.length - 1];\n" + body, args);
    }

    @Test
    void aTokenForRoom1ChatsThereAndIsRefusedRoom2() throws Exception {
        ChromeDriver alice = demo(server.httpUri(), "room-1", "alice", token("alice", "room-1"));
        ChromeDriver bob = demo(server.httpUri(), "room-1", "bob", token("bob", "room-1"));
        try {
            awaitState(alice, "connected");
            awaitState(bob, "connected");
            say(bob, "bob is here");
            awaitLine(bob, "bob: bob is here"); // bob's subscription is active
            say(alice, "hello room 1");
            awaitLine(alice, "alice: hello room 1");
            awaitLine(bob, "alice: hello room 1");

            WebElement room = alice.findElement(By.id("room"));
            room.clear();
            room.sendKeys("room-2");
            alice.executeScript("document.getElementById('room').dispatchEvent(new Event('change'))");
            awaitLine(alice, "error 403: not permitted to subscribe to 'room-2'");
        } finally {
            Chromium.quit(alice);
            Chromium.quit(bob);
        }
    }

    @Test
    void aPageFromAnotherOriginCannotConnect() throws Exception {
        String script = "const ws = new WebSocket(arguments[0]);"
                + "ws.onopen = () => { done('open'); ws.close(); };"
                + "ws.onclose = (e) => done('closed ' + e.code);";
        String target = "ws://127.0.0.1:" + server.port() + "/?token=" + token("eve", "room-1");
        ChromeDriver own = Chromium.open();
        ChromeDriver other = Chromium.open();
        try {
            own.get(server.httpUri().resolve("/").toString());
            assertEquals("open", runAsync(own, script, target), "the server's own page connects");
            // Another origin: the same server under another name (Origin http://localhost:port, Host 127.0.0.1:port).
            other.get("http://localhost:" + server.port() + "/");
            assertEquals("closed 1006", runAsync(other, script, target), "refused before the upgrade");
        } finally {
            Chromium.quit(own);
            Chromium.quit(other);
        }
    }

    @Test
    void aClientCannotFakeAServerErrorToOthers() throws Exception {
        ChromeDriver bob = demo(server.httpUri(), "room-1", "bob", token("bob", "room-1"));
        ChromeDriver mallory = Chromium.open();
        try {
            awaitState(bob, "connected");
            say(bob, "bob waits");
            awaitLine(bob, "bob: bob waits");
            mallory.get(server.httpUri().resolve("/").toString());
            Object code = runAsync(
                    mallory,
                    "import('/lhttp.js').then(({ connect }) => {"
                            + "  const c = connect('/', { token: arguments[0] });"
                            + "  c.on('error', ({ code }) => { done(code); });"
                            + "  c.publish('room-1', 'error', { code: '401', reason: 'session expired - log in at https://evil.example' });"
                            + "  window.mallory = c;"
                            + "});",
                    token("mallory", "room-1"));
            assertEquals(403L, ((Number) code).longValue(), "the server refused the fake error frame");
            runAsync(mallory, "window.mallory.publish('room-1', 'chat', { nick: 'mallory' }, 'after'); done(true);");
            awaitLine(bob, "mallory: after");
            assertTrue(log(bob).stream().noneMatch(l -> l.contains("session expired")), log(bob).toString());
        } finally {
            Chromium.quit(bob);
            Chromium.quit(mallory);
        }
    }
}
