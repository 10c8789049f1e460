package io.lhttp.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ContainerLogsTest {

    private static LogRecord severe(String topClass) {
        LogRecord r = new LogRecord(
                Level.SEVERE, "An exception or error occurred in the container during the request processing");
        Exception e = new IllegalArgumentException("URLDecoder: Illegal hex characters in escape (%) pattern - %zz");
        e.setStackTrace(new StackTraceElement[] {
            new StackTraceElement(topClass, "decode", "X.java", 1),
            new StackTraceElement("org.apache.catalina.connector.CoyoteAdapter", "service", "CoyoteAdapter.java", 2)
        });
        r.setThrown(e);
        return r;
    }

    @Test
    void requestParsingFailuresAreCondensed() {
        assertFalse(ContainerLogs.condense(severe("org.glassfish.grizzly.http.util.URLDecoder")));
        assertFalse(ContainerLogs.condense(severe("org.glassfish.grizzly.http.server.util.Mapper")));
        // GRIZZLY0013: bytes after a WebSocket's close, parsed as a request without a method
        assertFalse(ContainerLogs.condense(severe("org.glassfish.grizzly.http.Method")));
        assertTrue(ContainerLogs.LOGGERS.contains("org.glassfish.grizzly.filterchain.DefaultFilterChain"));
    }

    @Test
    void theContainersReadCallbackAfterACloseIsRecognised() {
        NullPointerException npe =
                new NullPointerException("Cannot invoke \"org.apache.catalina.Context.getLoader()\"");
        npe.setStackTrace(new StackTraceElement[] {
            new StackTraceElement(ContainerLogs.CLOSED_CONNECTION_READ, "processCallbacks", "InputBuffer.java", 443)
        });
        assertTrue(ContainerLogs.afterClose(npe));
        IllegalStateException other = new IllegalStateException("x");
        other.setStackTrace(npe.getStackTrace());
        assertFalse(ContainerLogs.afterClose(other), "only the NullPointerException");
        NullPointerException ours = new NullPointerException();
        ours.setStackTrace(
                new StackTraceElement[] {new StackTraceElement("io.lhttp.connection.Connection", "close", "C.java", 1)
                });
        assertFalse(ContainerLogs.afterClose(ours), "a fault of ours keeps its stack");
    }

    @Test
    void connectionFailuresInsideTheContainerAreCondensed() {
        assertFalse(ContainerLogs.condenseConnectionFailure(severe("org.glassfish.grizzly.nio.NIOConnection")));
        assertFalse(ContainerLogs.condenseConnectionFailure(severe("org.glassfish.grizzly.attributes.Attribute")));
        assertFalse(ContainerLogs.condenseConnectionFailure(severe("org.apache.catalina.connector.OutputBuffer")));
        assertFalse(ContainerLogs.condenseConnectionFailure(severe("org.glassfish.tyrus.servlet.TyrusServletUpgrade")));
        assertTrue(
                ContainerLogs.condenseConnectionFailure(severe("io.lhttp.connection.Connection")),
                "ours keeps its stack");
        assertTrue(ContainerLogs.condenseConnectionFailure(severe("org.apache.catalina.core.StandardWrapperValve")));
        assertTrue(ContainerLogs.condenseConnectionFailure(new LogRecord(Level.SEVERE, "no exception")));
        // Catalina's loggers write the stack into the message
        assertFalse(
                ContainerLogs.condenseConnectionFailure(
                        new LogRecord(
                                Level.WARNING,
                                "StandardWrapperValve[lhttp-root-page]: Servlet.service() for servlet lhttp-root-page threw exception\n"
                                        + "java.lang.NullPointerException: x is null\n\tat org.glassfish.tyrus.servlet.TyrusServletUpgrade.upgrade("
                                        + "TyrusServletUpgrade.java:213)\n\tat io.lhttp.admission.ClientAddress$Filter.doFilter(ClientAddress.java:67)")));
        assertTrue(
                ContainerLogs.condenseConnectionFailure(
                        new LogRecord(
                                Level.WARNING,
                                "threw exception\njava.lang.IllegalStateException: ours\n\tat io.lhttp.connection.Connection.close(Connection.java:1)")),
                "a stack that starts in our code is kept");
        assertEquals(
                "java.lang.NullPointerException: x is null",
                ContainerLogs.stackInMessage(
                        "msg\njava.lang.NullPointerException: x is null\n\tat org.glassfish.grizzly.nio.NIOConnection.assertOpen(N.java:1)"));
    }

    @Test
    void everythingElseKeepsItsStack() {
        assertTrue(ContainerLogs.condense(severe("io.lhttp.publish.PublishResource")), "a fault of ours");
        assertTrue(ContainerLogs.condense(severe("org.apache.catalina.core.StandardWrapperValve")));
        assertTrue(ContainerLogs.condense(new LogRecord(Level.SEVERE, "no exception")));
        LogRecord fine = severe("org.glassfish.grizzly.http.util.URLDecoder");
        fine.setLevel(Level.FINE);
        assertTrue(ContainerLogs.condense(fine));
    }
}
