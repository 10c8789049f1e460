package io.lhttp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Which origins {@code lhttp.sdk.cors-origins} lets load the SDK files (served over a real socket: ChatAppIT). */
class SdkCorsTest {

    @Test
    void starAllowsAnyOriginWithoutEchoingIt() {
        SdkCors.Rule rule = SdkCors.Rule.parse(" * ");
        assertEquals("*", rule.allow("https://elsewhere.example"));
        assertEquals("*", rule.allow(null));
    }

    @Test
    void aListAllowsOnlyItsOriginsEchoingTheOneAsked() {
        SdkCors.Rule rule = SdkCors.Rule.parse("https://app.example.com  https://Admin.example.com/");
        assertEquals("https://app.example.com", rule.allow("https://app.example.com"));
        assertEquals("https://admin.example.com", rule.allow("https://admin.example.com"));
        assertNull(rule.allow("https://evil.example.com"));
        assertNull(rule.allow("https://app.example.com.evil.example"));
        assertNull(rule.allow(null));
    }

    @Test
    void emptyAllowsNone() {
        SdkCors.Rule rule = SdkCors.Rule.parse("");
        assertNull(rule.allow("https://app.example.com"));
    }
}
