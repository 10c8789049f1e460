package io.lhttp.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {

    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final Instant NOW = Instant.parse("2026-11-29T20:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static KeyPair rsa;
    static KeyPair ec;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        rsa = Tokens.rsa();
        ec = Tokens.ec256();
    }

    static TokenVerifier.Settings hmacSettings() {
        return new TokenVerifier.Settings(SECRET, "", "", Duration.ofSeconds(30), "", "", 8192);
    }

    static TokenVerifier hmacVerifier() {
        return TokenVerifier.create(hmacSettings(), CLOCK);
    }

    TokenVerifier pemVerifier(KeyPair pair) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, Tokens.pem(pair.getPublic()));
        return TokenVerifier.create(
                new TokenVerifier.Settings("", file.toString(), "", Duration.ofSeconds(30), "", "", 8192), CLOCK);
    }

    static JWTClaimsSet claims(Instant exp, String... channels) {
        return Tokens.claims("alice", exp, List.of(channels)).build();
    }

    @Test
    void hmacTokenGrantsItsSubjectAndChannels() throws Exception {
        Grant g = hmacVerifier().verify(Tokens.hmac(SECRET, claims(NOW.plusSeconds(600), "room-1", "news.*")));
        assertEquals("alice", g.user());
        assertTrue(g.subscribe().matches("room-1"));
        assertTrue(g.publish().matches("room-1"));
        assertFalse(g.subscribe().matches("room-2"), "another channel");
        assertFalse(g.subscribe().matches("room-10"), "an exact name is not a prefix");
        assertTrue(g.subscribe().matches("news.sport"));
        assertFalse(g.subscribe().matches("news"), "the prefix includes the dot");
        assertEquals(NOW.plusSeconds(600), g.expires());
    }

    @Test
    void separateSubscribeAndPublishClaims() throws Exception {
        JWTClaimsSet c = Tokens.claims("bob", NOW.plusSeconds(60), null)
                .claim("subscribe", "feed-* alerts")
                .claim("publish", List.of("chat"))
                .build();
        Grant g = hmacVerifier().verify(Tokens.hmac(SECRET, c));
        assertTrue(g.subscribe().matches("feed-1"));
        assertTrue(g.subscribe().matches("alerts"));
        assertFalse(g.publish().matches("feed-1"), "subscribe-only");
        assertTrue(g.publish().matches("chat"));
        assertFalse(g.subscribe().matches("chat"), "publish-only");
    }

    @Test
    void noChannelClaimPermitsNothing() throws Exception {
        Grant g = hmacVerifier()
                .verify(Tokens.hmac(
                        SECRET, Tokens.claims("bob", NOW.plusSeconds(60), null).build()));
        assertTrue(g.subscribe().isEmpty());
        assertTrue(g.publish().isEmpty());
    }

    @Test
    void expiredTokenRefused() throws Exception {
        String token = Tokens.hmac(SECRET, claims(NOW.minusSeconds(31), "room-1"));
        TokenException e =
                assertThrows(TokenException.class, () -> hmacVerifier().verify(token));
        assertEquals("token expired", e.getMessage());
        assertTrue(e.expired(), "counted as lhttp_connections_refused_total{reason=token_expired}");
    }

    @Test
    void expiryWithinClockSkewAccepted() throws Exception {
        hmacVerifier().verify(Tokens.hmac(SECRET, claims(NOW.minusSeconds(20), "room-1")));
    }

    @Test
    void notYetValidTokenRefused() throws Exception {
        JWTClaimsSet c = Tokens.claims("alice", NOW.plusSeconds(600), List.of("a"))
                .notBeforeTime(Date.from(NOW.plusSeconds(120)))
                .build();
        TokenException early =
                assertThrows(TokenException.class, () -> hmacVerifier().verify(Tokens.hmac(SECRET, c)));
        assertEquals("token not yet valid", early.getMessage());
        assertFalse(early.expired(), "counted as token_invalid");
        JWTClaimsSet soon = Tokens.claims("alice", NOW.plusSeconds(600), List.of("a"))
                .notBeforeTime(Date.from(NOW.plusSeconds(10)))
                .build();
        hmacVerifier().verify(Tokens.hmac(SECRET, soon)); // within the skew
    }

    @Test
    void tokenWithoutExpiryRefused() throws Exception {
        JWTClaimsSet c = new JWTClaimsSet.Builder()
                .subject("alice")
                .claim("channels", List.of("a"))
                .build();
        assertEquals(
                "token lacks sub or exp",
                assertThrows(TokenException.class, () -> hmacVerifier().verify(Tokens.hmac(SECRET, c)))
                        .getMessage());
        JWTClaimsSet noSub = new JWTClaimsSet.Builder()
                .expirationTime(Date.from(NOW.plusSeconds(60)))
                .build();
        assertThrows(TokenException.class, () -> hmacVerifier().verify(Tokens.hmac(SECRET, noSub)));
    }

    @Test
    void wronglySignedTokenRefused() throws Exception {
        String token = Tokens.hmac("another-secret-of-at-least-32-bytes-length", claims(NOW.plusSeconds(60), "a"));
        assertEquals(
                "token signature not valid",
                assertThrows(TokenException.class, () -> hmacVerifier().verify(token))
                        .getMessage());
    }

    @Test
    void tamperedClaimsRefused() throws Exception {
        String token = Tokens.hmac(SECRET, claims(NOW.plusSeconds(60), "room-1"));
        String[] parts = token.split("\\.");
        String forged = Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(claims(NOW.plusSeconds(60), "*").toString().getBytes(StandardCharsets.UTF_8));
        assertThrows(TokenException.class, () -> hmacVerifier().verify(parts[0] + "." + forged + "." + parts[2]));
    }

    @Test
    void unsignedTokenRefused() {
        String none = new PlainJWT(claims(NOW.plusSeconds(60), "*")).serialize();
        assertThrows(TokenException.class, () -> hmacVerifier().verify(none));
        assertThrows(TokenException.class, () -> hmacVerifier().verify(none + "c2ln")); // none with a "signature"
    }

    @Test
    void hmacSignedWithThePublicKeyRefusedByAnRsaVerifier() throws Exception {
        // The classic confusion: alg HS256, "secret" = the public key the server holds.
        TokenVerifier v = pemVerifier(rsa);
        byte[] publicKeyAsSecret = Tokens.pem(rsa.getPublic()).getBytes(StandardCharsets.US_ASCII);
        String confused = Tokens.hmac(publicKeyAsSecret, JWSAlgorithm.HS256, claims(NOW.plusSeconds(60), "*"));
        assertEquals(
                "token algorithm or key not accepted",
                assertThrows(TokenException.class, () -> v.verify(confused)).getMessage());
        String confusedDer =
                Tokens.hmac(rsa.getPublic().getEncoded(), JWSAlgorithm.HS256, claims(NOW.plusSeconds(60), "*"));
        assertThrows(TokenException.class, () -> v.verify(confusedDer));
    }

    @Test
    void rsaTokenRefusedByAnHmacVerifier() throws Exception {
        String token = Tokens.rsa(rsa.getPrivate(), claims(NOW.plusSeconds(60), "a"));
        assertThrows(TokenException.class, () -> hmacVerifier().verify(token));
    }

    @Test
    void rsaPemKey() throws Exception {
        TokenVerifier v = pemVerifier(rsa);
        assertEquals(
                "alice",
                v.verify(Tokens.rsa(rsa.getPrivate(), claims(NOW.plusSeconds(60), "a")))
                        .user());
        KeyPair other = Tokens.rsa();
        assertEquals(
                "token signature not valid",
                assertThrows(
                                TokenException.class,
                                () -> v.verify(Tokens.rsa(other.getPrivate(), claims(NOW.plusSeconds(60), "a"))))
                        .getMessage());
        assertThrows(
                TokenException.class, () -> v.verify(Tokens.ec(ec.getPrivate(), claims(NOW.plusSeconds(60), "a"))));
    }

    @Test
    void ecPemKey() throws Exception {
        TokenVerifier v = pemVerifier(ec);
        assertEquals(
                "alice",
                v.verify(Tokens.ec(ec.getPrivate(), claims(NOW.plusSeconds(60), "a")))
                        .user());
        assertThrows(
                TokenException.class, () -> v.verify(Tokens.rsa(rsa.getPrivate(), claims(NOW.plusSeconds(60), "a"))));
    }

    @Test
    void jwksFile() throws Exception {
        Path file = dir.resolve("keys.json");
        Files.writeString(
                file,
                new JWKSet(new RSAKey.Builder((RSAPublicKey) rsa.getPublic())
                                .keyID("k1")
                                .build())
                        .toString());
        TokenVerifier v = TokenVerifier.create(
                new TokenVerifier.Settings("", "", file.toString(), Duration.ofSeconds(30), "", "", 8192), CLOCK);
        assertEquals(
                "alice",
                v.verify(Tokens.rsa(rsa.getPrivate(), claims(NOW.plusSeconds(60), "a")))
                        .user());
        assertThrows(TokenException.class, () -> v.verify(Tokens.hmac(SECRET, claims(NOW.plusSeconds(60), "a"))));
    }

    @Test
    void jwksUrlOnALocalServer() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger fetches = new AtomicInteger();
        byte[] body = new JWKSet(new RSAKey.Builder((RSAPublicKey) rsa.getPublic())
                        .keyID("k1")
                        .build())
                .toString()
                .getBytes(StandardCharsets.UTF_8);
        server.createContext("/jwks.json", x -> {
            fetches.incrementAndGet();
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        try {
            String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json";
            TokenVerifier v = TokenVerifier.create(
                    new TokenVerifier.Settings("", "", url, Duration.ofSeconds(30), "", "", 8192), Clock.systemUTC());
            Instant exp = Instant.now().plusSeconds(60);
            assertEquals(
                    "alice",
                    v.verify(Tokens.rsa(rsa.getPrivate(), claims(exp, "a"))).user());
            assertEquals(
                    "alice",
                    v.verify(Tokens.rsa(rsa.getPrivate(), claims(exp, "b"))).user());
            assertEquals(1, fetches.get(), "the key set is cached");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void issuerAndAudienceWhenConfigured() throws Exception {
        TokenVerifier v = TokenVerifier.create(
                new TokenVerifier.Settings(
                        SECRET, "", "", Duration.ofSeconds(30), "https://idp.example", "lhttp", 8192),
                CLOCK);
        JWTClaimsSet good = Tokens.claims("alice", NOW.plusSeconds(60), List.of("a"))
                .issuer("https://idp.example")
                .audience("lhttp")
                .build();
        v.verify(Tokens.hmac(SECRET, good));
        JWTClaimsSet otherIssuer = Tokens.claims("alice", NOW.plusSeconds(60), List.of("a"))
                .issuer("https://evil")
                .audience("lhttp")
                .build();
        assertThrows(TokenException.class, () -> v.verify(Tokens.hmac(SECRET, otherIssuer)));
        JWTClaimsSet noAudience = Tokens.claims("alice", NOW.plusSeconds(60), List.of("a"))
                .issuer("https://idp.example")
                .build();
        assertThrows(TokenException.class, () -> v.verify(Tokens.hmac(SECRET, noAudience)));
    }

    @Test
    void badChannelPatternInClaimRefused() throws Exception {
        for (String bad : new String[] {"a*b", "*x", "room 1>", "news..*"}) {
            String token = Tokens.hmac(
                    SECRET,
                    Tokens.claims("alice", NOW.plusSeconds(60), null)
                            .claim("channels", List.of(bad))
                            .build());
            assertThrows(TokenException.class, () -> hmacVerifier().verify(token), bad);
        }
        String notStrings = Tokens.hmac(
                SECRET,
                Tokens.claims("alice", NOW.plusSeconds(60), null)
                        .claim("channels", List.of(1, 2))
                        .build());
        assertThrows(TokenException.class, () -> hmacVerifier().verify(notStrings));
    }

    @Test
    void garbageAndOverlongRefused() {
        assertEquals(
                "token is not a signed JWT",
                assertThrows(TokenException.class, () -> hmacVerifier().verify("not-a-jwt"))
                        .getMessage());
        assertThrows(TokenException.class, () -> hmacVerifier().verify(""));
        assertThrows(TokenException.class, () -> hmacVerifier().verify("x".repeat(8193)));
    }

    @Test
    void configurationMistakesFailAtStart() {
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenVerifier.create(new TokenVerifier.Settings("", "", "", Duration.ZERO, "", "", 8192)));
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenVerifier.create(new TokenVerifier.Settings("short", "", "", Duration.ZERO, "", "", 8192)));
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenVerifier.create(
                        new TokenVerifier.Settings(SECRET, "/nonexistent.pem", "", Duration.ZERO, "", "", 8192)));
        assertThrows(
                IllegalArgumentException.class,
                () -> TokenVerifier.create(
                        new TokenVerifier.Settings("", "/nonexistent.pem", "", Duration.ZERO, "", "", 8192)));
    }
}
