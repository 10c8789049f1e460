package io.lhttp.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What a server process this test started holds, read from {@code /proc} and its log (issue 18). */
public final class ServerProcess {

    private ServerProcess() {
    }

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
}
