package io.lhttp.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What every server a test starts as a child process shares: the process started with its output
 * in a log file, the wait until it is ready (never on a log line: servers print "ready" even when
 * the deployment failed), the log's tail in every failure, a shutdown hook so that a test JVM that
 * dies does not leave a server holding its ports, and the stop. The family: {@link UberJarServer}
 * (the packaged Payara Micro uberjar), {@link ContainerServer} (the WAR on WildFly or TomEE) and the
 * cluster tests' {@code LhttpInstance} (the uberjar as one named instance of a cluster).
 */
public abstract class ServerProcess implements AutoCloseable {

    /** SIGTERM lets the server stop cleanly (Payara removes its runtime directory); a forced kill only if it hangs. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /** Lines of the log put in a failure's message. */
    static final int TAIL_LINES = 40;

    private final Path log;
    private volatile Process process;
    private Thread shutdownHook;

    /** One answer of the readiness probe: null when the server is ready, else what it answered (for the failure). */
    @FunctionalInterface
    public interface Probe {
        String check() throws IOException, InterruptedException;
    }

    protected ServerProcess(Path log) {
        this.log = log;
    }

    public Path logFile() {
        return log;
    }

    /** The server's process id (for /proc, signals); -1 when not running. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** The running process, or null. */
    protected Process process() {
        return process;
    }

    /**
     * Starts the process with its output (stdout and stderr) appended to the log, after a first
     * line {@code $ command} and {@code more} (e.g. the environment it was given), and registers
     * the shutdown hook. {@code freshLog}: the log starts anew instead of growing across restarts.
     */
    protected Process startProcess(ProcessBuilder builder, String more, boolean freshLog) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(
                log,
                "$ " + String.join(" ", builder.command()) + System.lineSeparator() + more,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                freshLog ? StandardOpenOption.TRUNCATE_EXISTING : StandardOpenOption.APPEND);
        Process started = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        process = started;
        shutdownHook = new Thread(() -> onJvmExit(started), "stop " + log.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        return started;
    }

    /**
     * Polls {@code probe} until it says ready; fails at once when the process exits, and after
     * {@code timeout}, each time with the log's tail. Between polls it waits on the process itself
     * (250 ms), which notices a crash at once. An exception of the probe other than an
     * {@link IOException} (no answer yet) ends the wait.
     *
     * @param what the server, for messages ("server", "WILDFLY", an instance's name)
     * @param until what readiness means, for the timeout's message ("http://…/ did not answer 200")
     */
    protected void awaitReady(Process started, Duration timeout, String what, String until, Probe probe) {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            if (!started.isAlive()) {
                throw new IllegalStateException(what + " exited with " + started.exitValue() + " before it was ready ("
                        + until + ")" + logTail());
            }
            try {
                String answer = probe.check();
                if (answer == null) {
                    return;
                }
                last = answer;
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
            try {
                started.onExit().get(250, TimeUnit.MILLISECONDS);
            } catch (TimeoutException expected) {
                // still starting
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException(
                what + ": " + until + " within " + timeout + " (last: " + last + ")" + threadDump(started) + logTail());
    }

    /**
     * A Java server that is alive but does not answer: its threads, written beside its log by the
     * JDK's {@code jcmd} ({@link ServerHeap#jcmd}), so the failure says where it hangs. Returns a suffix for
     * the failure's message.
     */
    private String threadDump(Process started) {
        Path dump = log.resolveSibling(log.getFileName() + ".threads.txt");
        try {
            Files.writeString(dump, ServerHeap.jcmd(started.pid(), "Thread.print"));
            return System.lineSeparator() + "--- its threads: " + dump + " ---";
        } catch (IOException | AssertionError e) {
            return System.lineSeparator() + "(no thread dump: " + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The last lines of the log, as a suffix for a failure's message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return System.lineSeparator() + "--- last lines of " + log + " ---" + System.lineSeparator()
                    + String.join(
                            System.lineSeparator(),
                            lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException | RuntimeException e) {
            return " (log " + log + " unreadable: " + e + ")";
        }
    }

    /** Stops the process ({@link #terminate}) and removes the shutdown hook. Idempotent. */
    protected void stopProcess() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        removeShutdownHook();
        terminate(p);
    }

    /** SIGTERM, then wait up to {@link #STOP_TIMEOUT}; a forced kill only if it hangs. */
    protected void terminate(Process p) {
        p.destroy();
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** What the shutdown hook does when the test JVM exits with the server still running: SIGTERM. */
    protected void onJvmExit(Process p) {
        p.destroy();
    }

    private void removeShutdownHook() {
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook itself is stopping the server
        }
        shutdownHook = null;
    }

    // What a server process holds, read from /proc and its log (issue 18's attack ITs).
    /** The process's threads now ({@code /proc/<pid>/task}). */
    public static int threads(long pid) throws IOException {
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            return (int) tasks.count();
        }
    }

    /** The log's length now: {@link #logSince} reads what was written after it. */
    public static long logMark(Path log) throws IOException {
        return Files.size(log);
    }

    /** What the log gained since {@code mark}. */
    public static String logSince(Path log, long mark) throws IOException {
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(mark, all.length);
        return new String(all, from, all.length - from, StandardCharsets.ISO_8859_1);
    }

    /**
     * Whether a log excerpt holds a stack trace or an uncaught exception (a stranger's attack must
     * leave none: what the container fails at is condensed to one line each, which may name the exception).
     */
    public static boolean hasStackTrace(String log) {
        return log.contains("\tat ") || log.contains("Exception in thread");
    }

    /**
     * Sends a signal ({@code KILL}, {@code STOP}, {@code CONT}, ...) to a process this test
     * started, with the shell's built-in kill: no dependency on the procps package.
     */
    public static void signal(long pid, String name) {
        try {
            Process kill = new ProcessBuilder("sh", "-c", "kill -" + name + " " + pid)
                    .inheritIO()
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
