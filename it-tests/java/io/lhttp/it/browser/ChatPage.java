package io.lhttp.it.browser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * One chat page in its own browser, driven the way a user (or a screen reader) finds things:
 * the input labelled "Message", the button named "Send", the list with role "log".
 * Works for the demo (index.html) and for the original-API page (compat.html). Public for the
 * container ITs (io.lhttp.it.containers), which run the demo on WildFly and TomEE.
 */
public final class ChatPage implements AutoCloseable {

    /** Generous: only a failing test waits this long, and a loaded CI machine is slow. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    private final ChromeDriver driver;

    private ChatPage(ChromeDriver driver, URI uri) {
        this.driver = driver;
        driver.get(uri.toString());
    }

    /** The demo as this nickname, in this room or (null) in the default one. */
    public static ChatPage demo(URI server, String room, String nick) {
        String query = (room == null ? "" : "room=" + encode(room) + "&") + "nick=" + encode(nick);
        return new ChatPage(Chromium.open(), server.resolve("/?" + query));
    }

    /** The demo with more of its URL parameters, e.g. {@code refresh=2000} (presence refresh, ms). */
    public static ChatPage demo(URI server, String room, String nick, String moreQuery) {
        String query = (room == null ? "" : "room=" + encode(room) + "&") + "nick=" + encode(nick) + "&" + moreQuery;
        return new ChatPage(Chromium.open(), server.resolve("/?" + query));
    }

    /** A page written for the original SDK (new Lhttp(url), on_open, context.publish). */
    static ChatPage compat(URI server) {
        return new ChatPage(Chromium.open(), server.resolve("/compat.html"));
    }

    public String state() {
        return driver.findElement(By.id("state")).getText();
    }

    String room() {
        return driver.findElement(By.id("room")).getDomProperty("value");
    }

    public void awaitState(String text, Duration timeout) {
        new WebDriverWait(driver, timeout)
                .withMessage(() -> "state is '" + state() + "', expected '" + text + "'")
                .until(d -> text.equals(state()));
    }

    public void say(String text) {
        WebElement label = driver.findElement(By.xpath("//label[normalize-space()='Message']"));
        WebElement input = driver.findElement(By.id(label.getDomAttribute("for")));
        assertEquals("Message", input.getAccessibleName());
        input.sendKeys(text);
        send().click();
    }

    WebElement send() {
        return driver.findElements(By.tagName("button")).stream()
                .filter(b -> "Send".equals(b.getAccessibleName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no button named Send"));
    }

    public List<String> messages() {
        return driver.findElement(By.cssSelector("[role=log]")).findElements(By.tagName("li")).stream()
                .map(WebElement::getText)
                .toList();
    }

    /** Waits until the log has a line ending with this text, and returns the whole log. */
    public List<String> awaitMessage(String text) {
        return awaitMessage(text, WAIT);
    }

    List<String> awaitMessage(String text, Duration timeout) {
        new WebDriverWait(driver, timeout)
                .withMessage(() -> "'" + text + "' not in " + messages())
                .until(d -> messages().stream().anyMatch(m -> m.endsWith(text)));
        return messages();
    }

    /** The demo's notice after a recovery that lost nothing. */
    public static final String RECOVERED_NOTICE = "every message sent while away is shown";

    /**
     * After a reconnect with recovery: waits for {@link #RECOVERED_NOTICE} and checks that the
     * missed lines (their ends) came before it, in this order, each once, and that
     * {@code seenBefore}, shown before the page went away, was not replayed again.
     */
    public void assertRecovered(String seenBefore, String... missed) {
        List<String> log = awaitMessage(RECOVERED_NOTICE);
        int previous = -1;
        for (String m : missed) {
            int at = indexOf(log, m);
            assertTrue(at > previous, "'" + m + "' replayed in order: " + log);
            assertEquals(1, log.stream().filter(l -> l.endsWith(m)).count(), "once: " + log);
            previous = at;
        }
        assertTrue(previous < indexOf(log, RECOVERED_NOTICE), "replayed before the notice: " + log);
        assertEquals(1, log.stream().filter(l -> l.endsWith(seenBefore)).count(), "not replayed again: " + log);
    }

    private static int indexOf(List<String> log, String end) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).endsWith(end)) return i;
        }
        return -1;
    }

    /** The entries of the list labelled "Members", as shown (a user, or the start of a connection id). */
    public List<String> members() {
        // Read in one script: the page replaces the entries on every presence answer, so elements
        // found one call earlier may be gone (stale) by the next.
        Object texts = driver.executeScript(
                "return [...document.querySelectorAll('ul[aria-label=Members] li')].map(li => li.textContent);");
        return ((List<?>) texts).stream().map(String::valueOf).toList();
    }

    /** The member entries marked as the reader's own (class {@code you}, shown with "(you)"), waiting until there is one. */
    public List<String> awaitOwnEntry() {
        String script =
                "return [...document.querySelectorAll('ul[aria-label=Members] li.you')].map(li => li.textContent);";
        new WebDriverWait(driver, WAIT)
                .withMessage(() -> "no entry marked as the reader's own among " + members())
                .until(d -> !((List<?>) driver.executeScript(script)).isEmpty());
        return ((List<?>) driver.executeScript(script))
                .stream().map(String::valueOf).toList();
    }

    /** Waits until the member list has exactly {@code count} entries, and returns them. */
    public List<String> awaitMembers(int count) {
        new WebDriverWait(driver, WAIT)
                .withMessage(() -> "members " + members() + ", expected " + count)
                .until(d -> members().size() == count);
        return members();
    }

    /** Waits until the member list says the server cut it ("+ more"), and returns what it says. */
    public String awaitMore() {
        new WebDriverWait(driver, WAIT)
                .withMessage(() -> "no '+ more' under members " + members())
                .until(d -> d.findElement(By.id("more")).isDisplayed());
        return driver.findElement(By.id("more")).getText();
    }

    /** Says something and waits for its echo: afterwards the page's subscription is known to be active. */
    public void sayAndAwaitEcho(String text) {
        say(text);
        awaitMessage(text);
    }

    /**
     * Runs an async script in the page: it gets a {@code done} function and the arguments, and its
     * result comes back converted by WebDriver (objects as maps, arrays as lists).
     */
    Object runAsync(String body, Object... args) {
        driver.manage().timeouts().scriptTimeout(WAIT);
        return driver.executeAsyncScript("const done = arguments[arguments.length - 1];\n" + body, args);
    }

    void screenshot(Path file) throws java.io.IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        Chromium.quit(driver);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
