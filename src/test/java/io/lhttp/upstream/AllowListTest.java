package io.lhttp.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URISyntaxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowListTest {

    private final AllowList allow =
            AllowList.parse(" http://good.example/api/ , https://secure.example:8443/hooks,http://127.0.0.1:9000 ");

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://good.example/api",
                "http://good.example/api/",
                "http://good.example/api/chat",
                "http://good.example/api/chat/log?room=a&x=%2F..", // the query is not a path
                "http://good.example:80/api/x", // the default port, written out
                "HTTP://GOOD.Example/api/x", // scheme and host ignore case
                "http://good.example/api/x#fragment",
                "http://good.example/api/a%20b",
                "http://good.example/api/x;v=1",
                "http://good.example/api//x",
                "https://secure.example:8443/hooks/in",
                "http://127.0.0.1:9000/",
                "http://127.0.0.1:9000",
                "http://127.0.0.1:9000/anything/at/all?q",
            })
    void allowed(String url) throws Exception {
        URI uri = allow.check(url);
        assertEquals(null, uri.getRawUserInfo());
        assertEquals(null, uri.getRawFragment());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://good.example@evil.example/api/x", // user info: the host is evil.example
                "http://good.example:80@evil.example/api/x",
                "http://user:pw@good.example/api/x", // user info is refused even for a good host
                "http://good.example.evil.example/api/x", // host suffix
                "http://evil.example/good.example/api/x",
                "http://evilgood.example/api/x",
                "http://good.example./api/x", // trailing dot: another name for the host
                "http://good.example:8080/api/x", // another port
                "https://good.example/api/x", // another scheme (and port)
                "http://secure.example:8443/hooks/in",
                "https://secure.example/hooks/in", // 443 is not 8443
                "http://good.example/apix", // not on a segment boundary
                "http://good.example/api-internal/x",
                "http://good.example/",
                "http://good.example",
                "http://good.example/API/x", // paths are case-sensitive
                "http://good.example/api/../admin", // dot segments
                "http://good.example/api/./x",
                "http://good.example/api/..",
                "http://good.example/api/..;/admin", // "..;" is ".." to some servers
                "http://good.example/api/%2e%2e/admin", // encoded dots
                "http://good.example/api/%2E%2E/admin",
                "http://good.example/api/.%2e/admin",
                "http://good.example/api/%2e/x",
                "http://good.example/api%2f..%2fadmin", // encoded slashes
                "http://good.example/api/x%2F..%2F..%2Fadmin",
                "http://good.example/api/..%5cadmin", // encoded backslash
                "http://good.example/api/%252e%252e/admin", // double encoding
                "http://good.example/api/x%00.txt",
                // Look-alikes (issue 13): overlong UTF-8, Unicode dots raw and encoded, encoded ';', controls.
                "http://good.example/api/%c0%ae%c0%ae/admin", // overlong '.'
                "http://good.example/api/%C0%AE%C0%AE/admin",
                "http://good.example/api/%e0%80%ae%e0%80%ae/admin", // 3-byte overlong '.'
                "http://good.example/api/%c0%af..%c0%afadmin", // overlong '/'
                "http://good.example/api/%c1%9c..%c1%9cadmin", // overlong '\\'
                "http://good.example/api/\u2024\u2024/admin", // ONE DOT LEADER, raw
                "http://good.example/api/\u2025/admin", // TWO DOT LEADER, raw
                "http://good.example/api/%e2%80%a4%e2%80%a4/admin", // ONE DOT LEADER, encoded
                "http://good.example/api/\uff0e\uff0e/admin", // FULLWIDTH FULL STOP, raw
                "http://good.example/api/%ef%bc%8e%ef%bc%8e/admin", // FULLWIDTH FULL STOP, encoded
                "http://good.example/api/\uff0f..\uff0fadmin", // FULLWIDTH SOLIDUS
                "http://good.example/api/%ef%bc%8f..%ef%bc%8fadmin",
                "http://good.example/api/..%3b/admin", // encoded ';'
                "http://good.example/api/..%3B/admin",
                "http://good.example/api/caf\u00e9", // any non-ASCII
                "http://good.example/api/x%0a", // encoded controls
                "http://good.example/api/x%7f",
                "http://127.0.0.2:9000/",
                "http://localhost:9000/", // names are not resolved: not 127.0.0.1
                "http://[::1]:9000/",
                "http://2130706433:9000/",
                "ftp://good.example/api/x",
                "file:///etc/passwd",
            })
    void refused(String url) {
        assertThrows(AllowList.Refused.class, () -> allow.check(url), url);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/api/x", // relative
                "good.example/api/x",
                "mailto:someone@good.example", // opaque
                "http://good.example/api/\\..\\admin", // backslashes are not URL characters
                "http://good.example/api/a b",
                "http://good.example/api/%zz",
                "http://[bad/api",
            })
    void notUrlsAtAll(String url) {
        assertThrows(URISyntaxException.class, () -> allow.check(url), url);
    }

    @Test
    void hostsThatAreNotPlainNamesAreRefused() {
        // A percent-encoded or '_' host leaves java.net.URI without a host: never matched.
        assertThrows(AllowList.Refused.class, () -> allow.check("http://good%2eexample/api/x"));
        assertThrows(AllowList.Refused.class, () -> allow.check("http://good_example/api/x"));
    }

    @Test
    void theUrlCalledIsTheCheckedOneWithTheQueryKept() throws Exception {
        assertEquals(
                URI.create("http://good.example/api/x?a=1&b=%20"),
                allow.check("HTTP://Good.Example/api/x?a=1&b=%20#frag"));
        assertEquals(URI.create("http://good.example:80/api/x"), allow.check("http://good.example:80/api/x"));
        assertEquals(URI.create("http://127.0.0.1:9000/"), allow.check("http://127.0.0.1:9000"));
    }

    @Test
    void aRootPrefixAllowsTheWholeOrigin() throws Exception {
        AllowList root = AllowList.parse("http://h.example/");
        root.check("http://h.example/");
        root.check("http://h.example/a/b?c");
        assertThrows(AllowList.Refused.class, () -> root.check("http://h.example:81/"));
    }

    @Test
    void anEmptyListAllowsNothing() {
        assertTrue(AllowList.parse("").isEmpty());
        assertTrue(AllowList.parse(" , ").isEmpty());
        assertTrue(AllowList.parse(null).isEmpty());
        assertThrows(AllowList.Refused.class, () -> AllowList.parse("").check("http://good.example/"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "good.example/api", "ftp://good.example/", "http://u@good.example/", "http://good.example/api?x=1",
                "http://good.example/api#x", "http://good.example/../x", "http://good.example/%2e%2e/", "http:///x",
            })
    void badPrefixesFailTheConfiguration(String prefix) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> AllowList.parse("http://ok.example/," + prefix));
        assertTrue(e.getMessage().contains(io.lhttp.config.Secrets.maskUrls(prefix)), e.getMessage());
    }

    @Test
    void aBadPrefixsCredentialsAreNotInTheMessage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> AllowList.parse("http://svc:Planted7@good.example/api,https://h/x?api_key=Planted8"));
        assertTrue(
                e.getMessage().contains("http://***@good.example/api")
                        && !e.getMessage().contains("Planted7"),
                e.getMessage());
    }
}
