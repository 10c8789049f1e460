package io.lhttp.security;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AllowedOriginsTest {

    @Test
    void defaultIsTheServersOwnOrigin() {
        AllowedOrigins same = AllowedOrigins.parse("");
        assertTrue(same.allows("http://chat.example:8080", "chat.example:8080"));
        assertTrue(same.allows("https://chat.example", "chat.example"), "TLS proxy in front: scheme not compared");
        assertTrue(same.allows("http://chat.example:80", "chat.example"));
        assertTrue(same.allows("https://Chat.Example", "chat.example:443"));
        assertTrue(same.allows("http://127.0.0.1:20001", "127.0.0.1:20001"));
        assertFalse(same.allows("http://evil.example", "chat.example"));
        assertFalse(same.allows("http://chat.example:8081", "chat.example:8080"));
        assertFalse(same.allows("http://chat.example.evil.example", "chat.example"));
        assertFalse(same.allows("null", "chat.example"));
        assertFalse(same.allows("file://", "chat.example"));
        assertFalse(same.allows("http://chat.example", null));
        assertFalse(same.allows("http://user@chat.example", "chat.example"));
        assertFalse(same.allows("garbage", "chat.example"));
    }

    @Test
    void noOriginIsNotABrowserAndPasses() {
        assertTrue(AllowedOrigins.parse("").allows(null, "chat.example"));
        assertTrue(AllowedOrigins.parse("https://a.example").allows(null, null));
    }

    @Test
    void starAllowsAny() {
        AllowedOrigins any = AllowedOrigins.parse("*");
        assertTrue(any.allows("http://evil.example", "chat.example"));
        assertTrue(any.allows("null", "chat.example"));
        assertTrue(any.isAny());
    }

    @Test
    void aListAllowsExactlyItsOrigins() {
        AllowedOrigins list = AllowedOrigins.parse(" https://app.example , http://localhost:3000,null");
        assertTrue(list.allows("https://app.example", "ws.example"));
        assertTrue(list.allows("https://APP.example:443", "ws.example"));
        assertTrue(list.allows("http://localhost:3000", "ws.example"));
        assertTrue(list.allows("null", "ws.example"));
        assertFalse(list.allows("http://app.example", "ws.example"), "scheme compared in a list");
        assertFalse(list.allows("http://localhost:3001", "ws.example"));
        assertFalse(list.allows("http://ws.example", "ws.example"), "a list replaces the own-origin default");
    }

    @Test
    void badEntriesFailTheConfiguration() {
        for (String bad : new String[] {"chat.example", "https://a.example/path", "https://a.example?x", "http://"}) {
            assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.parse(bad), bad);
        }
    }

    @Test
    void writesFromAnotherSiteAreRefusedByOriginOrSecFetchSite() {
        AllowedOrigins own = AllowedOrigins.parse("");
        String host = "127.0.0.1:8080";
        assertFalse(own.refusesCrossSiteWrite(null, null, host), "not a browser");
        assertFalse(own.refusesCrossSiteWrite("http://127.0.0.1:8080", "same-origin", host));
        assertFalse(own.refusesCrossSiteWrite(null, "none", host), "typed by the user");
        assertTrue(own.refusesCrossSiteWrite("http://evil.example", null, host));
        assertTrue(own.refusesCrossSiteWrite("null", null, host));
        assertTrue(own.refusesCrossSiteWrite(null, "cross-site", host));
        assertTrue(own.refusesCrossSiteWrite(null, "Same-Site", host));
        assertTrue(
                own.refusesCrossSiteWrite("http://127.0.0.1:8080", "cross-site", host), "the header says another site");
        AllowedOrigins any = AllowedOrigins.parse("*");
        assertTrue(
                any.refusesCrossSiteWrite("http://evil.example", "cross-site", host),
                "* opens connections, not writes");
        assertFalse(any.refusesCrossSiteWrite("http://127.0.0.1:8080", null, host));
        AllowedOrigins listed = AllowedOrigins.parse("https://chat.example");
        assertFalse(listed.refusesCrossSiteWrite("https://chat.example", "same-site", host));
        assertFalse(listed.refusesCrossSiteWrite("https://chat.example", "cross-site", host));
        assertTrue(listed.refusesCrossSiteWrite("https://evil.example", "cross-site", host));
        assertFalse(listed.refusesCrossSiteWrite("http://127.0.0.1:8080", "same-origin", host), "own origin still");
    }
}
