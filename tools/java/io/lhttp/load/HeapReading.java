package io.lhttp.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM, read with {@code jcmd <pid> GC.run} (a full collection: explicit
 * GC is a full one on G1, Parallel and Serial unless {@code -XX:+ExplicitGCInvokesConcurrent})
 * followed by {@code jcmd <pid> GC.heap_info}.
 */
final class HeapReading {

    // " garbage-first heap   total 2097152K, used 123456K [0x…", " PSYoungGen      total 611840K, used 20992K [0x…",
    // " ParOldGen       total 1398272K, used 0K [0x…", " def new generation   total …, used …K", " tenured generation
    // total …"
    private static final Pattern GENERATION =
            Pattern.compile("^\\s*(\\S.*?)\\s+total \\d+K, used (\\d+)K", Pattern.MULTILINE);
    // " ZHeap           used 48M, capacity 2048M, max capacity 2048M"
    private static final Pattern ZHEAP = Pattern.compile("^\\s*ZHeap\\s+used (\\d+)M", Pattern.MULTILINE);

    private HeapReading() {}

    /** Full GC in the JVM {@code pid}, then its used heap in KiB. */
    static long liveHeapKb(String jcmd, String pid) throws IOException, InterruptedException {
        run(jcmd, pid, "GC.run");
        return usedKb(run(jcmd, pid, "GC.heap_info"));
    }

    /**
     * Used KiB of all heap generations in a {@code GC.heap_info} answer (G1, Parallel, Serial, ZGC);
     * Metaspace and class space are not heap and are left out.
     *
     * @throws IllegalArgumentException when the answer names no heap this method knows
     */
    static long usedKb(String heapInfo) {
        long kb = 0;
        boolean found = false;
        Matcher m = GENERATION.matcher(heapInfo);
        while (m.find()) {
            if (!m.group(1).startsWith("Metaspace") && !m.group(1).startsWith("class space")) {
                kb += Long.parseLong(m.group(2));
                found = true;
            }
        }
        Matcher z = ZHEAP.matcher(heapInfo);
        while (z.find()) {
            kb += Long.parseLong(z.group(1)) * 1024;
            found = true;
        }
        if (!found) {
            throw new IllegalArgumentException("no heap in GC.heap_info answer: " + heapInfo);
        }
        return kb;
    }

    private static String run(String jcmd, String pid, String command) throws IOException, InterruptedException {
        Process p =
                new ProcessBuilder(jcmd, pid, command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(
                    jcmd + " " + pid + " " + command + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
