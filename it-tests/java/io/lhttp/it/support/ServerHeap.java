package io.lhttp.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of a server process this test started, read with {@code jcmd} (same JDK, same
 * user): a full GC first ({@code GC.run}), then {@code GC.heap_info}'s "used". What the server
 * holds, not what it happened to leave for the collector.
 */
public final class ServerHeap {

    private static final Pattern USED = Pattern.compile("total \\d+K, used (\\d+)K");

    private ServerHeap() {}

    /** Bytes of live heap after a full collection. */
    public static long liveBytes(long pid) throws IOException, InterruptedException {
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = USED.matcher(info);
        if (!m.find()) {
            throw new AssertionError("no heap size in jcmd's answer: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /**
     * Waits until the live heap is back within {@code tolerance} of {@code idle}: what a closed
     * connection held goes with the container's own timers (Grizzly keeps closed connections'
     * objects for a while), so the first look right after an attack is not the last word.
     */
    public static void awaitNear(long pid, long idle, long tolerance, java.time.Duration deadline) throws Exception {
        long[] last = {0};
        try {
            Await.until(
                    deadline,
                    () -> {
                        try {
                            last[0] = liveBytes(pid);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new IllegalStateException(e);
                        }
                        return last[0] - idle < tolerance;
                    },
                    "live heap back within " + (tolerance >> 20) + " MiB of idle");
        } catch (AssertionError e) {
            throw new AssertionError(
                    e.getMessage() + ": " + (idle >> 20) + " MiB idle, " + (last[0] >> 20) + " MiB last", e);
        }
    }

    /** {@code jcmd <pid> <command>} of the test's own JDK: its output, or an AssertionError when it fails. */
    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        String jcmd = System.getProperty("java.home") + "/bin/jcmd";
        Process p = new ProcessBuilder(jcmd, Long.toString(pid), command)
                .redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("jcmd " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
