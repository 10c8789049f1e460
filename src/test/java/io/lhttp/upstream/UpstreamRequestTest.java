package io.lhttp.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.ProtocolException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamRequestTest {

    private static final AllowList ALLOW = AllowList.parse("http://backend.example/chat/");
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private static HttpRequest build(String upstream, List<Header> headers, String body) throws ProtocolException {
        return UpstreamRequest.build(upstream, headers, body, ALLOW, TIMEOUT);
    }

    @Test
    void postCarriesTheBodyAndTheQuery() throws Exception {
        HttpRequest r = build("POST http://backend.example/chat/log?room=a", List.of(), "héllo");
        assertEquals("POST", r.method());
        assertEquals(URI.create("http://backend.example/chat/log?room=a"), r.uri());
        assertEquals(6L, r.bodyPublisher().orElseThrow().contentLength()); // UTF-8 bytes
        assertEquals(Optional.of(TIMEOUT), r.timeout());
    }

    @Test
    void putCarriesTheBodyGetNone() throws Exception {
        assertEquals(
                "PUT",
                build("PUT http://backend.example/chat/x", List.of(), "abc").method());
        assertEquals(
                3L,
                build("PUT http://backend.example/chat/x", List.of(), "abc")
                        .bodyPublisher()
                        .orElseThrow()
                        .contentLength());
        HttpRequest get = build("  get   http://backend.example/chat/x  ", List.of(), "ignored");
        assertEquals("GET", get.method());
        assertEquals(
                0L,
                get.bodyPublisher()
                        .map(HttpRequest.BodyPublisher::contentLength)
                        .orElse(0L));
    }

    @Test
    void headersGoAlongExceptWhatHttpForbids() throws Exception {
        List<Header> headers = List.of(
                new Header("upstream", "POST http://backend.example/chat/x"),
                new Header(" content-type ", " json "),
                new Header("publish", "channel_mike"),
                new Header("x-repeated", "1"),
                new Header("x-repeated", "2"),
                new Header("Host", "evil.example"),
                new Header("connection", "close"),
                new Header("Content-Length", "99"),
                new Header("expect", "100-continue"),
                new Header("upgrade", "h2c"),
                new Header("transfer-encoding", "chunked"),
                new Header("bad name", "x"),
                new Header("bad\"name", "x"),
                new Header("x-control", "a\nb"),
                new Header("x-wide", "名前"));
        var sent = build("POST http://backend.example/chat/x", headers, "b")
                .headers()
                .map();
        assertEquals(List.of("POST http://backend.example/chat/x"), sent.get("upstream"));
        assertEquals(List.of("json"), sent.get("content-type"));
        assertEquals(List.of("channel_mike"), sent.get("publish"));
        assertEquals(List.of("1", "2"), sent.get("x-repeated"));
        for (String refused : List.of(
                "host",
                "connection",
                "content-length",
                "expect",
                "upgrade",
                "transfer-encoding",
                "bad name",
                "bad\"name",
                "x-control",
                "x-wide")) {
            assertFalse(sent.containsKey(refused), refused);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "POST",
                "POST ",
                "http://backend.example/chat/x",
                "POST http://a/ b",
                "DELETE http://backend.example/chat/x",
                "PATCH http://backend.example/chat/x",
                "POSTX http://backend.example/chat/x",
                "POST /chat/x",
                "POST backend.example/chat/x",
                "POST http://backend.example/chat/%zz"
            })
    void malformedValuesAre400(String value) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> build(value, List.of(), ""));
        assertEquals(400, e.code(), e.reason());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "POST http://backend.example/other",
                "GET http://backend.example@evil.example/chat/x",
                "GET http://backend.example/chat/../admin",
                "GET https://backend.example/chat/x"
            })
    void urlsOutsideTheListAre403(String value) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> build(value, List.of(), ""));
        assertEquals(403, e.code(), e.reason());
    }

    @Test
    void anEmptyListMeansUpstreamIsOff() {
        ProtocolException e = assertThrows(
                ProtocolException.class,
                () -> UpstreamRequest.build(
                        "POST http://backend.example/chat/x", List.of(), "", AllowList.parse(""), TIMEOUT));
        assertEquals(403, e.code());
        assertTrue(e.reason().contains("lhttp.upstream.allow"), e.reason());
    }

    @Test
    void charsetsComeFromTheContentType() {
        assertEquals("UTF-8", LimitedBody.charset("").name());
        assertEquals(
                "ISO-8859-1",
                LimitedBody.charset("text/plain; charset=\"iso-8859-1\"").name());
        assertEquals(
                "UTF-8", LimitedBody.charset("text/plain;charset=nonsense-42").name());
    }

    private static final List<Header> CLIENT_CLAIMS = List.of(
            new Header("Authorization", "Bearer stolen"),
            new Header("proxy-authorization", "Basic x"),
            new Header("Cookie", "session=someone-else"),
            new Header("auth", "eyJ.token.sig"),
            new Header("X-Forwarded-For", "6.6.6.6"),
            new Header("x-forwarded-host", "admin.internal"),
            new Header("X-Forwarded-Proto", "https"),
            new Header("X-Real-IP", "6.6.6.6"),
            new Header("Forwarded", "for=6.6.6.6"),
            new Header("X-Lhttp-User", "admin"),
            new Header("x-lhttp-connection", "someone-elses"),
            new Header("content-type", "json"));

    @Test
    void credentialsAndAddressClaimsOfTheClientAreNotForwardedByDefault() throws Exception {
        var sent = UpstreamRequest.build(
                        "POST http://backend.example/chat/x",
                        CLIENT_CLAIMS,
                        "",
                        ALLOW,
                        TIMEOUT,
                        new UpstreamRequest.Forwarding(
                                Set.of(),
                                List.of(
                                        new Header("X-Lhttp-Connection", "c1"),
                                        new Header("X-Lhttp-User", "alice"),
                                        new Header("X-Forwarded-For", "192.0.2.7"))))
                .headers()
                .map();
        assertEquals(List.of("json"), sent.get("content-type"));
        for (String dropped : List.of(
                "authorization",
                "proxy-authorization",
                "cookie",
                "auth",
                "x-forwarded-host",
                "x-forwarded-proto",
                "x-real-ip",
                "forwarded")) {
            assertFalse(sent.containsKey(dropped), dropped);
        }
        assertEquals(List.of("c1"), sent.get("x-lhttp-connection"), "the server's identity, not the client's claim");
        assertEquals(List.of("alice"), sent.get("x-lhttp-user"));
        assertEquals(List.of("192.0.2.7"), sent.get("x-forwarded-for"));
    }

    @Test
    void withoutIdentityTheClientsIdentityHeadersStillDoNotPass() throws Exception {
        var sent = build("POST http://backend.example/chat/x", CLIENT_CLAIMS, "")
                .headers()
                .map();
        assertFalse(sent.containsKey("x-lhttp-user"));
        assertFalse(sent.containsKey("x-lhttp-connection"));
        assertFalse(sent.containsKey("x-forwarded-for"));
    }

    @Test
    void configuredHeadersAreForwardedAndForwardedForIsAppendedTo() throws Exception {
        var sent = UpstreamRequest.build(
                        "POST http://backend.example/chat/x",
                        CLIENT_CLAIMS,
                        "",
                        ALLOW,
                        TIMEOUT,
                        new UpstreamRequest.Forwarding(
                                UpstreamRequest.Forwarding.parseNames(" Authorization , x-forwarded-for"),
                                List.of(
                                        new Header("X-Lhttp-Connection", "c1"),
                                        new Header("X-Forwarded-For", "192.0.2.7"))))
                .headers()
                .map();
        assertEquals(List.of("Bearer stolen"), sent.get("authorization"));
        assertEquals(List.of("6.6.6.6, 192.0.2.7"), sent.get("x-forwarded-for"), "as a proxy does: claim, then peer");
        assertFalse(sent.containsKey("cookie"));
        assertEquals(List.of("c1"), sent.get("x-lhttp-connection"));
    }

    @Test
    void identityHeadersCannotBeConfiguredAsForwarded() {
        assertThrows(IllegalArgumentException.class, () -> UpstreamRequest.Forwarding.parseNames("x-lhttp-user"));
        assertThrows(IllegalArgumentException.class, () -> UpstreamRequest.Forwarding.parseNames("bad name"));
        assertEquals(Set.of(), UpstreamRequest.Forwarding.parseNames(" , "));
    }

    /** Issue 18: names compare as a backend may read them (case, {@code _} as {@code -}); proxy and rewrite headers drop. */
    @Test
    void lookAlikeNamesAndProxyRewriteHeadersAreNotForwarded() throws Exception {
        List<String> names = List.of(
                "X_Lhttp_User",
                "X-Lhttp_User",
                "x_LHTTP_connection",
                "X_Forwarded_For",
                "X_Real_IP",
                "Client-IP",
                "CF-Connecting-IP",
                "X-Original-URL",
                "X-Rewrite-URL",
                "X-HTTP-Method-Override",
                "X_HTTP_Method_Override",
                "X-HTTP-Method",
                "X-Method-Override",
                "True_Client_IP",
                "Fastly-Client-IP",
                "X-Cluster-Client-IP",
                "Proxy_Authorization",
                "COOKIE",
                "Transfer_Encoding");
        List<Header> claims = new java.util.ArrayList<>();
        for (String n : names) {
            claims.add(new Header(n, "forged"));
        }
        claims.add(new Header("X_Custom_Thing", "kept"));
        var sent = UpstreamRequest.build(
                        "POST http://backend.example/chat/x",
                        claims,
                        "",
                        ALLOW,
                        TIMEOUT,
                        new UpstreamRequest.Forwarding(Set.of(), List.of(new Header("X-Lhttp-User", "alice"))))
                .headers()
                .map();
        for (var e : sent.entrySet()) {
            assertFalse(e.getValue().contains("forged"), e.getKey() + " was forwarded: " + sent);
        }
        assertEquals(List.of("alice"), sent.get("x-lhttp-user"));
        assertEquals(List.of("kept"), sent.get("x_custom_thing"), "other names with '_' still go");
        assertThrows(IllegalArgumentException.class, () -> UpstreamRequest.Forwarding.parseNames("X_Lhttp_User"));
        assertEquals(Set.of("x-real-ip"), UpstreamRequest.Forwarding.parseNames("X_Real_IP"));
    }
}
