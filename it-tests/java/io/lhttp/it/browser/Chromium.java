package io.lhttp.it.browser;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Headless Chromium from the OS packages, one independent browser (own profile) per call.
 * Nothing is downloaded: the driver and browser paths are given, so Selenium Manager never runs.
 */
public final class Chromium {

    static final String BROWSER = System.getProperty("chromium.binary", "/usr/bin/chromium");
    static final String DRIVER = System.getProperty("chromedriver.binary", "/usr/bin/chromedriver");

    private Chromium() {}

    /** A new browser; quit it with {@link #quit(ChromeDriver)} so its profile directory goes too. */
    public static ChromeDriver open() {
        File browser = new File(BROWSER);
        File driver = new File(DRIVER);
        if (!browser.canExecute() || !driver.canExecute()) {
            // Failing, not skipping: a green build must mean the browser tests ran.
            fail("browser tests need " + BROWSER + " and " + DRIVER + ": apt-get install -y chromium chromium-driver");
        }
        System.setProperty("webdriver.chrome.driver", DRIVER);
        Path profile;
        try {
            profile = Files.createTempDirectory("lhttp-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=820,760",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver)
                .usingAnyFreePort()
                .build();
        ChromeDriver chrome = new ChromeDriver(service, options);
        PROFILES.put(chrome, profile);
        return chrome;
    }

    public static void quit(ChromeDriver chrome) {
        if (chrome == null) return;
        try {
            chrome.quit();
        } finally {
            Path profile = PROFILES.remove(chrome);
            if (profile != null) deleteQuietly(profile);
        }
    }

    private static final java.util.Map<ChromeDriver, Path> PROFILES = new java.util.concurrent.ConcurrentHashMap<>();

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a leftover temp directory must not fail a test
        }
    }
}
