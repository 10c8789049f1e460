package io.lhttp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SecretsTest {

    @Test
    void userInfoIsMaskedInEveryUrlOfATextAndNothingElseChanges() {
        assertEquals("nats ***", "nats ***".replace("x", "y"));
        assertEquals(
                "nats nats://***@10.0.0.1:4222,nats://***@h2:4222 as a",
                Secrets.maskUrls("nats nats://user:pa55w0rd@10.0.0.1:4222,nats://s3cr3tT0ken@h2:4222 as a"));
        assertEquals(
                "bad entry 'http://***@backend/api': no",
                Secrets.maskUrls("bad entry 'http://u:p@ss@backend/api': no"));
        assertEquals("tls://***@h:1/x", Secrets.maskUrls("tls://u%40x:p%2F@h:1/x"));
        assertEquals("nats://h:4222, http://h/a@b", Secrets.maskUrls("nats://h:4222, http://h/a@b"));
        assertEquals("mail me@example.org", Secrets.maskUrls("mail me@example.org"));
        assertEquals("", Secrets.maskUrls(""));
        assertEquals(null, Secrets.maskUrls(null));
    }

    @Test
    void secretNamedQueryValuesAreMasked() {
        assertEquals("http://h/api?a=1&api_key=***&b=2", Secrets.maskUrls("http://h/api?a=1&api_key=XYZ&b=2"));
        assertEquals("http://h/x?password=***#f", Secrets.maskUrls("http://h/x?password=hunter2#f"));
        assertEquals("http://h/x?Token=*** and more", Secrets.maskUrls("http://h/x?Token=abc and more"));
        assertEquals("http://h/x?page=2&sort=name", Secrets.maskUrls("http://h/x?page=2&sort=name"));
    }
}
