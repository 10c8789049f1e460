package io.lhttp.it.upstream;

import static io.lhttp.it.upstream.Frames.assertError;
import static io.lhttp.it.upstream.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lhttp.it.support.SdkClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13 on the upstream path, against the real backend: what a client claims about itself
 * (credentials, forwarded addresses, the server's own identity headers) does not reach the
 * backend by default; the server names the client itself; look-alike paths never leave the
 * server; failures name no Java class.
 */
@ExtendWith(Environment.Extension.class)
class UpstreamIdentityIT {

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
    void clientCredentialsAndAddressClaimsAreStrippedAndTheServersIdentityAdded() throws Exception {
        client.send(frame(
                "chat",
                "hi",
                "upstream:POST " + allowed + "/who",
                "upstream-reply:true",
                "Authorization:Bearer someone-elses",
                "Cookie:session=stolen",
                "X-Forwarded-For:6.6.6.6",
                "X-Forwarded-Host:admin.internal",
                "X-Real-IP:6.6.6.6",
                "Forwarded:for=6.6.6.6",
                "X-Lhttp-User:admin",
                "X-Lhttp-Connection:forged",
                "x-trace:kept"));
        Backend.Request r = backend.next();
        for (String dropped :
                new String[] {"authorization", "cookie", "x-forwarded-host", "x-real-ip", "forwarded", "x-lhttp-user"
                }) {
            assertNull(r.headers().getFirst(dropped), dropped + " reached the backend: " + r.headers());
        }
        assertEquals("kept", r.headers().getFirst("x-trace"), "other headers still go along");
        String connection = r.headers().getFirst("x-lhttp-connection");
        assertNotNull(connection, "the server names the connection");
        assertFalse(connection.equals("forged"));
        assertEquals(
                "127.0.0.1",
                r.headers().getFirst("x-forwarded-for"),
                "the address the server saw, not the client's claim");
        assertEquals(frame("chat", "got POST /allowed/who hi", "upstream-status:200"), client.next());
    }

    /** Issue 18: look-alike names ({@code _} for {@code -}, any case) and proxy/rewrite headers never reach the backend. */
    @Test
    void lookAlikeIdentityNamesAndRewriteHeadersAreStripped() throws Exception {
        client.send(frame(
                "chat",
                "hi",
                "upstream:POST " + allowed + "/who",
                "upstream-reply:true",
                "X_Lhttp_User:forged",
                "X-Lhttp_User:forged",
                "X_Forwarded_For:forged",
                "X_Real_IP:forged",
                "Client-IP:forged",
                "CF-Connecting-IP:forged",
                "X-Original-URL:forged",
                "X-Rewrite-URL:forged",
                "X-HTTP-Method-Override:forged",
                "x_http_method_override:forged",
                "x_trace:kept"));
        Backend.Request r = backend.next();
        r.headers()
                .forEach((name, values) ->
                        assertFalse(values.contains("forged"), name + " reached the backend: " + r.headers()));
        assertEquals("kept", r.headers().getFirst("x_trace"), "other headers still go along: " + r.headers());
        assertEquals("127.0.0.1", r.headers().getFirst("x-forwarded-for"));
        assertEquals(frame("chat", "got POST /allowed/who hi", "upstream-status:200"), client.next());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/allowed/%c0%ae%c0%ae/secret",
                "/allowed/%C0%AE%C0%AE/secret",
                "/allowed/\u2024\u2024/secret",
                "/allowed/%e2%80%a4%e2%80%a4/secret",
                "/allowed/\uff0e\uff0e/secret",
                "/allowed/%ef%bc%8e%ef%bc%8e/secret",
                "/allowed/..%3B/secret",
                "/allowed/..%3b/secret",
                "/allowed/%2e%2e/secret",
                "/allowed/..%2fsecret",
            })
    void lookalikePathsAre403AndNothingIsSent(String path) throws Exception {
        client.send(frame("x", "b", "upstream:POST " + backend.base() + path, "upstream-reply:true"));
        assertError(403, client.next());
        barrier();
    }

    @Test
    void aFailedCallNamesNoJavaClass() throws Exception {
        client.send(frame("x", "b", "upstream:POST http://127.0.0.1:" + env.closedPort + "/x"));
        String error = client.next();
        assertError(502, error);
        assertFalse(error.contains("Exception"), error);
        assertEquals("LHTTP/1.0 error\r\ncode:502\r\nreason:upstream call failed\r\n\r\n", error);
    }

    private void barrier() throws Exception {
        client.send(frame("barrier", "", "upstream:GET " + allowed + "/barrier", "upstream-reply:true"));
        assertEquals(frame("barrier", "got GET /allowed/barrier ", "upstream-status:200"), client.next());
        Backend.Request r = backend.next();
        assertEquals("/allowed/barrier", r.path(), "the backend received a request it must not have");
        assertNull(backend.poll(), "the backend received a request it must not have");
    }
}
