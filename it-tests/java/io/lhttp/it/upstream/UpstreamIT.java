package io.lhttp.it.upstream;

import static io.lhttp.it.upstream.Frames.assertError;
import static io.lhttp.it.upstream.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code upstream} end to end: the packaged server calls a real HTTP server on loopback.
 */
@ExtendWith(Environment.Extension.class)
class UpstreamIT {

    private Environment env;
    private Backend backend;
    private String allowed;
    private SdkClient client;

    @BeforeEach
    void connect() throws Exception {
        env = Environment.get();
        backend = env.backend;
        backend.clear();
        allowed = backend.base() + "/allowed";
        client = SdkClient.connect(env.server.wsUri());
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    @Test
    void postSendsTheBodyPathQueryAndHeaders() throws Exception {
        client.send(frame(
                "chat",
                "{to:mike,from:jack} é",
                "content-type:json",
                "upstream:POST " + allowed + "/chat/log?room=a&n=1",
                " X-Trace : abc ",
                "host:evil.example",
                "content-length:1",
                "connection:close",
                "expect:100-continue"));
        Backend.Request r = backend.next();
        assertEquals("POST", r.method());
        assertEquals("/allowed/chat/log", r.path());
        assertEquals("room=a&n=1", r.rawQuery());
        assertEquals("{to:mike,from:jack} é", r.body());
        assertEquals("json", r.headers().getFirst("content-type"));
        assertEquals("POST " + allowed + "/chat/log?room=a&n=1", r.headers().getFirst("upstream"));
        assertEquals("abc", r.headers().getFirst("x-trace"));
        // What HTTP keeps for the client library is the library's, not the message's.
        assertEquals("127.0.0.1:" + backend.port(), r.headers().getFirst("host"));
        assertEquals(
                String.valueOf("{to:mike,from:jack} é".getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                r.headers().getFirst("content-length"));
        assertNull(r.headers().getFirst("expect"));
        assertNull(r.headers().getFirst("connection"), r.headers().toString());
    }

    @Test
    void putSendsTheBody() throws Exception {
        client.send(frame("store", "v=1", "upstream:PUT " + allowed + "/items/7", "upstream-reply:true"));
        Backend.Request r = backend.next();
        assertEquals("PUT", r.method());
        assertEquals("/allowed/items/7", r.path());
        assertEquals("v=1", r.body());
        assertEquals(frame("store", "got PUT /allowed/items/7 v=1", "upstream-status:200"), client.next());
    }

    @Test
    void getSendsNoBody() throws Exception {
        client.send(frame(
                "fetch",
                "this body stays here",
                "upstream:GET " + allowed + "/items?id=7",
                "upstream-reply:true",
                "accept:text/plain"));
        Backend.Request r = backend.next();
        assertEquals("GET", r.method());
        assertEquals("id=7", r.rawQuery());
        assertEquals("", r.body());
        assertEquals("text/plain", r.headers().getFirst("accept"));
        assertEquals(frame("fetch", "got GET /allowed/items?id=7 ", "upstream-status:200"), client.next());
    }

    @Test
    void replyCarriesTheStatusAndBodyAsTheRequestsCommand() throws Exception {
        client.send(frame("ask", "question", "upstream:post " + allowed + "/answer", "upstream-reply: TRUE "));
        assertEquals(frame("ask", "got POST /allowed/answer question", "upstream-status:200"), client.next());
    }

    @Test
    void theReplyAndAnUpstreamErrorCarryTheRequestId() throws Exception {
        client.send(frame(
                "ask", "question", "upstream:POST " + allowed + "/answer", "upstream-reply:true", "request-id:u1"));
        assertEquals(
                frame("ask", "got POST /allowed/answer question", "upstream-status:200", "request-id:u1"),
                client.next());
        client.send(frame("x", "b", "upstream:GET " + allowed + "/status/503", "request-id:u2"));
        String error = client.next();
        assertError(502, error);
        assertTrue(error.endsWith("request-id:u2\r\n\r\n"), error);
    }

    @Test
    void withoutReplyNothingComesBack() throws Exception {
        client.send(frame("note", "one", "upstream:POST " + allowed + "/notes"));
        assertEquals("one", backend.next().body());
        // The connection's next frame is the answer to a later call: nothing came for the first.
        client.send(frame("note", "two", "upstream:POST " + allowed + "/notes", "upstream-reply:true"));
        assertEquals("two", backend.next().body());
        assertEquals(frame("note", "got POST /allowed/notes two", "upstream-status:200"), client.next());
        assertNull(client.poll());
    }

    @Test
    void redirectsAreNotFollowed() throws Exception {
        client.send(frame("go", "", "upstream:GET " + allowed + "/redirect", "upstream-reply:true"));
        assertEquals("/allowed/redirect", backend.next().path());
        assertEquals(frame("go", "", "upstream-status:302"), client.next());
        barrier();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/allowed/../secret",
                "/allowed/%2e%2e/secret",
                "/allowed/%2E%2e/secret",
                "/allowed%2f..%2fsecret",
                "/allowed/x%2F..%2F..%2Fsecret",
                "/allowed/..;/secret",
                "/allowed/%252e%252e/secret",
                "/allowedx/secret",
                "/secret",
                "/",
            })
    void pathsOutsideThePrefixAre403AndNothingIsSent(String path) throws Exception {
        client.send(frame("x", "b", "upstream:POST " + backend.base() + path, "upstream-reply:true"));
        assertError(403, client.next());
        barrier();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://127.0.0.1:%d@localhost:%<d/allowed/x", // user info: the host would be localhost
                "http://user:pw@127.0.0.1:%d/allowed/x",
                "http://localhost:%d/allowed/x", // same machine, another name
                "http://127.0.0.1.nip.io:%d/allowed/x", // host suffix
                "http://127.0.0.1:%d.evil.example/allowed/x",
                "https://127.0.0.1:%d/allowed/x",
                "ftp://127.0.0.1:%d/allowed/x",
                "http://127.0.0.2:%d/allowed/x",
            })
    void lookalikeHostsAre403AndNothingIsSent(String url) throws Exception {
        client.send(frame("x", "b", "upstream:POST " + String.format(url, backend.port()), "upstream-reply:true"));
        assertError(403, client.next());
        barrier();
    }

    @Test
    void aRefusedUpstreamRefusesTheWholeMessage() throws Exception {
        // Nothing is half done: no processor answer, no publish to the sender's own channel.
        client.send(frame(
                "echo",
                "hello",
                "subscribe:upstream-it-own",
                "publish:upstream-it-own",
                "upstream:POST " + backend.base() + "/secret"));
        assertError(403, client.next());
        client.send(frame("echo", "after"));
        assertEquals(frame("echo", "after"), client.next());
        assertNull(client.poll());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "upstream:",
                "upstream:POST",
                "upstream:" + "http://127.0.0.1/allowed/x",
                "upstream:DELETE http://127.0.0.1/allowed/x",
                "upstream:POST /allowed/x",
                "upstream:POST http://a/ b",
                "upstream:POST http://[bad/"
            })
    void malformedValuesAre400AndTheConnectionStaysOpen(String header) throws Exception {
        client.send(frame("x", "b", header));
        assertError(400, client.next());
        client.send(frame("echo", "still here"));
        assertEquals(frame("echo", "still here"), client.next());
    }

    @Test
    void aClosedPortIs502() throws Exception {
        client.send(frame("x", "b", "upstream:POST http://127.0.0.1:" + env.closedPort + "/x", "upstream-reply:true"));
        assertError(502, client.next());
    }

    @Test
    void aServerErrorIs502() throws Exception {
        client.send(frame("x", "b", "upstream:GET " + allowed + "/status/503", "upstream-reply:true"));
        assertError(502, client.next());
        client.send(frame("x", "b", "upstream:GET " + allowed + "/status/503"));
        assertError(502, client.next()); // failures are reported with or without upstream-reply
    }

    @Test
    void aResponseOverTheLimitIs502() throws Exception {
        assertTrue(Backend.BIG > Environment.MAX_RESPONSE_BYTES);
        client.send(frame("x", "", "upstream:GET " + allowed + "/big", "upstream-reply:true"));
        assertError(502, client.next());
    }

    @Test
    void aServerThatNeverAnswersIs504AndTheConnectionKeepsFlowing() throws Exception {
        client.send(frame("slow", "b", "upstream:POST " + allowed + "/hang", "upstream-reply:true"));
        assertEquals("/allowed/hang", backend.next().path()); // the call is running from here on
        try (SdkClient other = SdkClient.connect(env.server.wsUri())) {
            for (int i = 0; i < 5; i++) {
                client.send(frame("echo", "mine " + i));
                other.send(frame("echo", "theirs " + i));
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(frame("echo", "mine " + i), client.next(), "the same client's frames flow meanwhile");
                assertEquals(frame("echo", "theirs " + i), other.next(), "other clients' frames flow meanwhile");
            }
        }
        assertError(504, client.next());
    }

    @Test
    void callsInFlightPerConnectionAreBounded() throws Exception {
        for (int i = 0; i <= Environment.MAX_IN_FLIGHT; i++) {
            client.send(frame("slow", "b" + i, "upstream:POST " + allowed + "/hang"));
        }
        assertError(429, client.next()); // the one over the limit, at once
        for (int i = 0; i < Environment.MAX_IN_FLIGHT; i++) {
            assertError(504, client.next());
        }
        // Slots come back when calls end.
        client.send(frame("after", "b", "upstream:POST " + allowed + "/after", "upstream-reply:true"));
        assertEquals(frame("after", "got POST /allowed/after b", "upstream-status:200"), client.next());
    }

    @Test
    void callsInFlightOnTheWholeServerAreBounded() throws Exception {
        for (int i = 0; i < Environment.MAX_IN_FLIGHT; i++) {
            client.send(frame("slow", "a" + i, "upstream:POST " + allowed + "/hang"));
            assertEquals("/allowed/hang", backend.next().path()); // running from here on
        }
        try (SdkClient other = SdkClient.connect(env.server.wsUri())) {
            int left = Environment.MAX_IN_FLIGHT_TOTAL - Environment.MAX_IN_FLIGHT;
            for (int i = 0; i < left; i++) {
                other.send(frame("slow", "b" + i, "upstream:POST " + allowed + "/hang"));
                assertEquals("/allowed/hang", backend.next().path());
            }
            // Under its own limit, but the server's is reached: refused at once, and nothing is sent.
            other.send(frame("slow", "over", "upstream:POST " + allowed + "/hang"));
            assertEquals(
                    "LHTTP/1.0 error\r\ncode:429\r\nreason:too many upstream calls running on this server: at most "
                            + Environment.MAX_IN_FLIGHT_TOTAL + "\r\n\r\n",
                    other.next());
            for (int i = 0; i < left; i++) {
                assertError(504, other.next());
            }
            for (int i = 0; i < Environment.MAX_IN_FLIGHT; i++) {
                assertError(504, client.next());
            }
            // Slots come back when calls end, for every connection.
            other.send(frame("after", "b", "upstream:POST " + allowed + "/after", "upstream-reply:true"));
            assertEquals(frame("after", "got POST /allowed/after b", "upstream-status:200"), other.next());
            assertEquals("/allowed/after", backend.next().path(), "the refused call never reached the backend");
        }
    }

    /**
     * Proves no request left for the frames before: a later allowed call's request is the
     * first and only one the backend received.
     */
    private void barrier() throws Exception {
        client.send(frame("barrier", "", "upstream:GET " + allowed + "/barrier", "upstream-reply:true"));
        assertEquals(frame("barrier", "got GET /allowed/barrier ", "upstream-status:200"), client.next());
        Backend.Request r = backend.next();
        assertEquals("/allowed/barrier", r.path(), "the backend received a request it must not have");
        assertNull(backend.poll(), "the backend received a request it must not have");
    }
}
