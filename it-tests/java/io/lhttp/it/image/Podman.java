package io.lhttp.it.image;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The {@code podman} command line, through {@code server-config/image/podman.sh} (this project's
 * containers.conf: runc, ulimits), as ContainerImageIT drives it. Every call is bounded.
 */
final class Podman {

    static final Path SCRIPT =
            Path.of(System.getProperty("project.basedir", "."), "server-config", "image", "podman.sh");
    static final String INSTALL = "apt-get install -y podman mmdebstrap runc (.ci/run installs them), then `mvn verify`"
            + " builds the image (server-config/image/build.sh, pom.xml exec \"container-image\")";

    /** What a command printed (stdout and stderr together) and how it ended. */
    record Result(int exit, String output) {
        Result orFail(String what) {
            if (exit != 0) fail(what + " failed with " + exit + ": " + output);
            return this;
        }
    }

    private Podman() {}

    static Result run(Duration timeout, String... args) {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile("podman-", ".out");
            try {
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    return new Result(
                            -1,
                            "timed out after " + timeout + ": " + String.join(" ", args) + "\n"
                                    + Files.readString(out, StandardCharsets.UTF_8));
                }
                return new Result(
                        p.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8).strip());
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    static Result run(String... args) {
        return run(Duration.ofSeconds(120), args);
    }

    /** Fails (never skips) with how to install what is missing. */
    static void requireImage(String image) {
        Result version = run(Duration.ofSeconds(30), "--version");
        if (version.exit() != 0) {
            fail("the container image tests need podman: " + INSTALL + " (podman --version: " + version.output() + ")");
        }
        if (run(Duration.ofSeconds(30), "image", "exists", image).exit() != 0) {
            fail("image " + image + " not found in podman: " + INSTALL + "; see its output in the build log");
        }
    }
}
