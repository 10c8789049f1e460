package io.lhttp.admission;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps a stranger's malformed request from writing a stack trace into the log (issue 18). Some
 * requests fail inside the container before any code of ours runs — on Payara an empty
 * {@code Host:}, {@code GET /%zz} or {@code POST /publish/.} each made its HTTP adapter log a
 * SEVERE record with a 25-line stack. A {@link Filter} on the container loggers named in
 * {@link #LOGGERS} turns each such record into one line, rate-limited per cause
 * ({@link RateLimitedLog}, as {@code POST /publish} does for aborted bodies); records without an
 * exception pass unchanged. On a container without these loggers nothing changes (a logger name
 * is not an import: the WAR stays portable).
 */
@ApplicationScoped
public class ContainerLogs {

    /**
     * The container loggers whose per-request exceptions are condensed: Payara's web container
     * (its {@code CoyoteAdapter} logs through Catalina's {@code LogFacade}), and Grizzly's filter
     * chain, which logs "GRIZZLY0013" with a NullPointerException from its HTTP parser when bytes
     * arrive on a connection whose WebSocket has been closed while the client still sends (issue 18).
     */
    static final List<String> LOGGERS =
            List.of("jakarta.enterprise.web.core", "org.glassfish.grizzly.filterchain.DefaultFilterChain");

    /** Where Payara's HTTP layer parses, decodes and maps a request (Grizzly). */
    static final String PARSING_PACKAGE = "org.glassfish.grizzly.http.";

    /**
     * Where Payara's connection handling fails when a client ends a connection in the middle of
     * its handshake or goes on sending after a close (issue 18, attacks of hundreds of connections
     * cut at once): Grizzly's I/O and attributes, Catalina's connector buffers, Tyrus's servlet
     * upgrade. An exception thrown first there, logged by any logger (it reaches the root
     * logger's handlers), is condensed to one line; one thrown first in code of ours keeps its stack.
     */
    static final List<String> CONNECTION_PACKAGES =
            List.of("org.glassfish.grizzly.", "org.apache.catalina.connector.", "org.glassfish.tyrus.servlet.");

    private static final Logger LOG = Logger.getLogger(ContainerLogs.class.getName());

    /** Held here: java.util.logging keeps loggers only weakly, and with them their filter. */
    private static final List<Logger> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final Map<String, RateLimitedLog> PER_CAUSE = new ConcurrentHashMap<>();

    /**
     * Where Payara's web container runs a read callback for data that arrived after an upgraded
     * connection's request was ended (a WebSocket closed by the server while its client still
     * sends): it throws a NullPointerException nobody catches, once per such connection, printed
     * with its stack by the JVM (issue 18: 66 traces in one attack).
     */
    static final String CLOSED_CONNECTION_READ = "org.apache.catalina.connector.InputBuffer$ReadHandlerImpl";

    private Thread.UncaughtExceptionHandler installed;
    private Thread.UncaughtExceptionHandler previousHandler;

    void install(@Observes @Initialized(ApplicationScoped.class) Object started) {
        for (String name : LOGGERS) {
            Logger logger = Logger.getLogger(name);
            Filter previous = logger.getFilter();
            logger.setFilter(record -> condense(record) && (previous == null || previous.isLoggable(record)));
            HELD.add(logger);
        }
        for (java.util.logging.Handler handler : Logger.getLogger("").getHandlers()) {
            Filter previous = handler.getFilter();
            Filter ours =
                    record -> condenseConnectionFailure(record) && (previous == null || previous.isLoggable(record));
            handler.setFilter(ours);
            handlerFilters.put(handler, previous == null ? NO_FILTER : previous);
        }
        previousHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.UncaughtExceptionHandler previous = previousHandler;
        installed = (thread, e) -> {
            if (afterClose(e)) {
                PER_CAUSE
                        .computeIfAbsent("closed-connection-read", c -> new RateLimitedLog(LOG))
                        .warning("data for a closed connection dropped by the container: {0}", oneLine(e));
            } else if (previous != null) {
                previous.uncaughtException(thread, e);
            } else { // what the JVM does without a handler
                System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                e.printStackTrace(System.err);
            }
        };
        Thread.setDefaultUncaughtExceptionHandler(installed);
    }

    private static final Filter NO_FILTER = record -> true;
    private final Map<java.util.logging.Handler, Filter> handlerFilters = new ConcurrentHashMap<>();

    @jakarta.annotation.PreDestroy
    void uninstall() {
        handlerFilters.forEach((handler, previous) -> handler.setFilter(previous == NO_FILTER ? null : previous));
        handlerFilters.clear();
        if (installed != null && Thread.getDefaultUncaughtExceptionHandler() == installed) {
            Thread.setDefaultUncaughtExceptionHandler(previousHandler);
        }
    }

    /** Whether an uncaught exception is the container's read callback for a connection already ended. */
    static boolean afterClose(Throwable e) {
        StackTraceElement[] stack = e.getStackTrace();
        return e instanceof NullPointerException
                && stack.length > 0
                && stack[0].getClassName().equals(CLOSED_CONNECTION_READ);
    }

    /** Whether the record is logged as it is; a request's exception is logged as one line instead. */
    static boolean condense(LogRecord record) {
        Throwable thrown = record.getThrown();
        if (thrown == null || record.getLevel().intValue() < Level.WARNING.intValue() || !fromRequestParsing(thrown)) {
            return true; // anything else, a fault of ours among it, keeps its stack
        }
        String cause = thrown.getClass().getName();
        PER_CAUSE
                .computeIfAbsent(cause, c -> new RateLimitedLog(LOG))
                .warning("malformed request refused by the container: {0}", oneLine(thrown));
        return false;
    }

    /** Whether the record is logged as it is; a connection's failure inside the container is logged as one line instead. */
    static boolean condenseConnectionFailure(LogRecord record) {
        if (record.getLevel().intValue() < Level.WARNING.intValue()) {
            return true;
        }
        Throwable thrown = record.getThrown();
        String cause;
        if (thrown != null) {
            if (!fromConnectionHandling(thrown)) {
                return true;
            }
            cause = oneLine(thrown);
        } else {
            // Catalina's loggers (StandardWrapperValve, Response) put the stack into the message text
            cause = stackInMessage(record.getMessage());
            if (cause == null) {
                return true;
            }
        }
        String kind = cause.indexOf(':') > 0 ? cause.substring(0, cause.indexOf(':')) : cause;
        PER_CAUSE
                .computeIfAbsent("connection " + kind, c -> new RateLimitedLog(LOG))
                .warning("connection failed inside the container (client gone or sending after a close): {0}", cause);
        return false;
    }

    /**
     * The exception line of a stack trace written into a log message, when its first frame is in
     * the container's connection handling ({@link #CONNECTION_PACKAGES}); else null.
     */
    static String stackInMessage(String message) {
        if (message == null) {
            return null;
        }
        int at = message.indexOf("\n\tat ");
        if (at < 0) {
            return null;
        }
        int end = message.indexOf('(', at);
        int dot = end < 0 ? -1 : message.lastIndexOf('.', end);
        if (dot < 0) {
            return null;
        }
        String top = message.substring(at + 5, dot);
        if (CONNECTION_PACKAGES.stream().noneMatch(top::startsWith)) {
            return null;
        }
        int from = message.lastIndexOf('\n', at - 1) + 1;
        String exception = message.substring(from, at).trim();
        return exception.length() > 200 ? exception.substring(0, 200) + "..." : exception;
    }

    /** Whether the exception was thrown first in the container's connection handling (see {@link #CONNECTION_PACKAGES}). */
    static boolean fromConnectionHandling(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        if (stack.length == 0) {
            return false;
        }
        String top = stack[0].getClassName();
        return CONNECTION_PACKAGES.stream().anyMatch(top::startsWith);
    }

    /** Whether the exception was thrown while the container parsed or mapped the request line and headers. */
    static boolean fromRequestParsing(Throwable t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].getClassName().startsWith(PARSING_PACKAGE);
    }

    private static String oneLine(Throwable t) {
        String s = t.toString().replace('\r', ' ').replace('\n', ' ');
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
