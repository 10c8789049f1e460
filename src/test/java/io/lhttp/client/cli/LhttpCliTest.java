package io.lhttp.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CLI's input lines and output formats (the whole program against a server: OperateIT). */
class LhttpCliTest {

    @Test
    void commandsBecomeFrames() throws Exception {
        assertEquals(
                Message.of("subscribe", List.of(new Header("subscribe", "a b")), ""),
                LhttpCli.parseLine("subscribe a b"));
        assertEquals(
                Message.of("unsubscribe", List.of(new Header("unsubscribe", "a")), ""),
                LhttpCli.parseLine(" unsubscribe a "));
        assertEquals(
                Message.of("publish", List.of(new Header("publish", "a b")), "hello  world"),
                LhttpCli.parseLine("publish a,b hello  world"));
        assertEquals(
                Message.of("chat", List.of(new Header("publish", "room"), new Header("nick", "ada")), "x\r\ny -- z"),
                LhttpCli.parseLine("send chat publish:room nick:ada -- x\\r\\ny -- z"));
        assertEquals(Message.of("ping", List.of(), ""), LhttpCli.parseLine("send ping"));
        assertEquals(
                Message.of("chat", List.of(new Header("publish", "room")), "raw\\"),
                LhttpCli.parseLine("LHTTP/1.0 chat\\r\\npublish:room\\r\\n\\r\\nraw\\\\"));
        assertNull(LhttpCli.parseLine("   "));
        assertNull(LhttpCli.parseLine("# a comment"));
    }

    @Test
    void badLinesAreRefusedBeforeSending() {
        assertThrows(IllegalArgumentException.class, () -> LhttpCli.parseLine("subscribe"));
        assertThrows(IllegalArgumentException.class, () -> LhttpCli.parseLine("subscribe bad..name"));
        assertThrows(IllegalArgumentException.class, () -> LhttpCli.parseLine("publish"));
        assertThrows(IllegalArgumentException.class, () -> LhttpCli.parseLine("send chat novalue"));
        assertThrows(IllegalArgumentException.class, () -> LhttpCli.parseLine("dance"));
        assertThrows(io.lhttp.protocol.ProtocolException.class, () -> LhttpCli.parseLine("LHTTP/1.0 \\r\\n\\r\\n"));
    }

    @Test
    void outputIsOneLinePerFrame() {
        Message m = Message.of("chat", List.of(new Header("nick", "a\"b")), "1\r\n2\\");
        assertEquals("chat nick:a\"b | 1\\r\\n2\\\\", LhttpCli.Readable.message(m));
        assertEquals(
                "{\"type\":\"message\",\"command\":\"chat\",\"headers\":[[\"nick\",\"a\\\"b\"]],\"body\":\"1\\r\\n2\\\\\"}",
                LhttpCli.Json.message(m));
        assertEquals("\"\\u0001\"", LhttpCli.Json.str("\u0001"));
    }

    @Test
    void badUsageExitsWith2() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        PrintStream o = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertEquals(2, LhttpCli.run(new String[0], new BufferedReader(new StringReader("")), o, e));
        assertEquals(2, LhttpCli.run(new String[] {"--wait"}, new BufferedReader(new StringReader("")), o, e));
        assertEquals(
                2, LhttpCli.run(new String[] {"http://localhost/"}, new BufferedReader(new StringReader("")), o, e));
    }
}
