package io.lhttp.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.ExpiredJWTException;
import io.lhttp.protocol.ChannelPatterns;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Verifies connection tokens: signed JWTs (JWS compact form) checked by the Nimbus JOSE+JWT
 * library, never by code of ours. Plain Java (no {@code jakarta.*}), immutable, thread-safe.
 *
 * <p>One key source is configured, and it pins the algorithms: an HMAC secret accepts only
 * {@code HS256/384/512}; an RSA or EC public key (PEM file, or a JWKS file or URL) only the
 * {@code RS*}/{@code PS*} or {@code ES*} families. So an unsigned token ({@code alg:none}) and a
 * token "signed" with HMAC using the public key as the secret are refused, whatever their header
 * says. The token must carry {@code sub} (the user) and {@code exp}; {@code exp} and {@code nbf}
 * are enforced with a small clock skew; {@code iss} and {@code aud} when configured.
 *
 * <p>Channel claims: {@code channels} (subscribe and publish), {@code subscribe} and
 * {@code publish}, each a JSON array of strings or one space-separated string of exact channel
 * names and {@code prefix*} patterns (see {@link ChannelPatterns}).
 */
public final class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class.getName());

    /** Claim holding the connection's public info, a JSON object (docs/PROTOCOL.md §2.4). */
    public static final String INFO_CLAIM = "info";

    /** Claim listing channels the token permits to subscribe to and publish on. */
    public static final String CHANNELS_CLAIM = "channels";
    /** Claim listing channels the token permits to subscribe to. */
    public static final String SUBSCRIBE_CLAIM = "subscribe";
    /** Claim listing channels the token permits to publish on. */
    public static final String PUBLISH_CLAIM = "publish";

    private static final Set<JWSAlgorithm> PUBLIC_KEY_ALGORITHMS;

    static {
        Set<JWSAlgorithm> algs = new LinkedHashSet<>(JWSAlgorithm.Family.RSA);
        algs.addAll(JWSAlgorithm.Family.EC);
        PUBLIC_KEY_ALGORITHMS = Set.copyOf(algs);
    }

    /**
     * Where the keys come from; exactly one of the three is set.
     *
     * @param hmacSecret    a shared secret (UTF-8; at least 32 bytes), or empty
     * @param publicKeyFile a PEM file holding an RSA or EC public key or an X.509 certificate, or empty
     * @param jwks          a JWKS file path or {@code http(s)://} URL of public keys, or empty
     * @param clockSkew     how far {@code exp} and {@code nbf} may be off
     * @param issuer        the required {@code iss}, or empty for any
     * @param audience      the required {@code aud} (one of the token's), or empty for any
     * @param maxTokenChars longest token looked at; longer ones are refused unparsed
     */
    public record Settings(
            String hmacSecret,
            String publicKeyFile,
            String jwks,
            Duration clockSkew,
            String issuer,
            String audience,
            int maxTokenChars) {}

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final int maxTokenChars;
    private final String description;

    private TokenVerifier(DefaultJWTProcessor<SecurityContext> processor, int maxTokenChars, String description) {
        this.processor = processor;
        this.maxTokenChars = maxTokenChars;
        this.description = description;
    }

    /**
     * A verifier for these settings, on the system clock.
     *
     * @throws IllegalArgumentException when no key source or more than one is set, or the key cannot be read
     */
    public static TokenVerifier create(Settings s) {
        return create(s, Clock.systemUTC());
    }

    /** A verifier for these settings on the given clock (tests). */
    public static TokenVerifier create(Settings s, Clock clock) {
        int sources = (s.hmacSecret().isEmpty() ? 0 : 1)
                + (s.publicKeyFile().isEmpty() ? 0 : 1)
                + (s.jwks().isEmpty() ? 0 : 1);
        if (sources != 1) {
            throw new IllegalArgumentException("token authentication needs exactly one key source: an HMAC secret, "
                    + "a public key file or a JWKS (" + sources + " set)");
        }
        JWKSource<SecurityContext> keys;
        Set<JWSAlgorithm> algorithms;
        String description;
        if (!s.hmacSecret().isEmpty()) {
            byte[] secret = s.hmacSecret().getBytes(StandardCharsets.UTF_8);
            if (secret.length < 32) {
                throw new IllegalArgumentException(
                        "the HMAC secret must be at least 32 bytes (256 bits), not " + secret.length);
            }
            keys = new ImmutableSecret<>(secret);
            algorithms = Set.copyOf(JWSAlgorithm.Family.HMAC_SHA);
            description = "HMAC secret";
        } else if (!s.publicKeyFile().isEmpty()) {
            JWK key = readPem(Path.of(s.publicKeyFile()));
            keys = new ImmutableJWKSet<>(new JWKSet(key));
            algorithms = key instanceof RSAKey ? Set.copyOf(JWSAlgorithm.Family.RSA) : ecAlgorithms((ECKey) key);
            description = (key instanceof RSAKey ? "RSA" : "EC") + " public key " + s.publicKeyFile();
        } else {
            keys = jwks(s.jwks());
            algorithms = PUBLIC_KEY_ALGORITHMS;
            description = "JWKS " + s.jwks();
        }
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims =
                new DefaultJWTClaimsVerifier<>(
                        s.audience().isEmpty() ? null : Set.of(s.audience()),
                        s.issuer().isEmpty()
                                ? null
                                : new JWTClaimsSet.Builder().issuer(s.issuer()).build(),
                        Set.of("sub", "exp"),
                        null) {
                    @Override
                    protected Date currentTime() {
                        return Date.from(clock.instant());
                    }
                };
        claims.setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, s.clockSkew().toSeconds()));
        processor.setJWTClaimsSetVerifier(claims);
        return new TokenVerifier(processor, s.maxTokenChars(), description);
    }

    /**
     * What the token grants.
     *
     * @throws TokenException with a one-line reason for the client when the token is not valid now
     */
    public Grant verify(String token) throws TokenException {
        if (token == null || token.isBlank()) {
            throw new TokenException("no token");
        }
        if (token.length() > maxTokenChars) {
            throw new TokenException("token longer than " + maxTokenChars + " characters");
        }
        JWTClaimsSet claims;
        try {
            claims = processor.process(token.trim(), null);
        } catch (ExpiredJWTException e) {
            throw new TokenException(TokenException.EXPIRED);
        } catch (BadJWTException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getMessage());
            String m = String.valueOf(e.getMessage());
            if (m.contains("before use time")) {
                throw new TokenException("token not yet valid");
            }
            if (m.contains("missing required claims")) {
                throw new TokenException("token lacks sub or exp");
            }
            throw new TokenException("token claims not accepted (issuer or audience)");
        } catch (ParseException e) {
            throw new TokenException("token is not a signed JWT");
        } catch (KeySourceException e) {
            LOG.log(Level.WARNING, "token keys unavailable: {0}", e.getMessage());
            throw new TokenException("token keys unavailable, try again later");
        } catch (BadJOSEException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getMessage());
            String m = String.valueOf(e.getMessage());
            if (m.contains("Invalid signature")) {
                throw new TokenException("token signature not valid");
            }
            if (m.contains("nsecured")
                    || m.contains("algorithm")
                    || m.contains("no matching key")
                    || m.contains("JWS object rejected")) {
                throw new TokenException("token algorithm or key not accepted");
            }
            throw new TokenException("token not accepted");
        } catch (JOSEException e) {
            LOG.log(Level.FINE, "token refused: {0}", e.getMessage());
            throw new TokenException("token signature could not be checked");
        }
        try {
            ChannelPatterns both = ChannelPatterns.of(strings(claims, CHANNELS_CLAIM));
            return new Grant(
                    claims.getSubject(),
                    both.and(ChannelPatterns.of(strings(claims, SUBSCRIBE_CLAIM))),
                    both.and(ChannelPatterns.of(strings(claims, PUBLISH_CLAIM))),
                    claims.getExpirationTime().toInstant(),
                    info(claims));
        } catch (IllegalArgumentException e) {
            throw new TokenException("token claim: " + e.getMessage());
        }
    }

    /** The {@code info} claim as compact JSON, or null; the size limit is applied where it is shown. */
    private static String info(JWTClaimsSet claims) throws TokenException {
        Object value = claims.getClaim(INFO_CLAIM);
        if (value == null) {
            return null;
        }
        if (!(value instanceof java.util.Map<?, ?> map)) {
            throw new TokenException("token claim '" + INFO_CLAIM + "' must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        java.util.Map<String, ?> object = (java.util.Map<String, ?>) map;
        return com.nimbusds.jose.util.JSONObjectUtils.toJSONString(object);
    }

    /** A claim as a list of strings: a JSON array of strings, or one space-separated string; absent = empty. */
    private static Collection<String> strings(JWTClaimsSet claims, String name) throws TokenException {
        Object value = claims.getClaim(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s.trim().split(" +"));
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new TokenException("token claim '" + name + "' must list strings");
                }
                out.add(s);
            }
            return out;
        }
        throw new TokenException("token claim '" + name + "' must be a string or a list of strings");
    }

    private static Set<JWSAlgorithm> ecAlgorithms(ECKey key) {
        Curve curve = key.getCurve();
        Set<JWSAlgorithm> algs = new HashSet<>(
                Curve.P_256.equals(curve)
                        ? Set.of(JWSAlgorithm.ES256)
                        : Curve.P_384.equals(curve)
                                ? Set.of(JWSAlgorithm.ES384)
                                : Curve.P_521.equals(curve) ? Set.of(JWSAlgorithm.ES512) : Set.of());
        if (algs.isEmpty()) {
            throw new IllegalArgumentException("EC public key on an unsupported curve: " + curve);
        }
        return Set.copyOf(algs);
    }

    /** Reads a PEM public key ({@code PUBLIC KEY}) or certificate ({@code CERTIFICATE}) with the JDK's own parsers. */
    static JWK readPem(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read public key file " + file + ": " + e.getMessage(), e);
        }
        try {
            PublicKey key;
            if (pem.contains("-----BEGIN CERTIFICATE-----")) {
                X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
                key = cert.getPublicKey();
            } else {
                int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
                int end = pem.indexOf("-----END PUBLIC KEY-----");
                if (begin < 0 || end < begin) {
                    throw new IllegalArgumentException(file + " holds no 'PUBLIC KEY' or 'CERTIFICATE' PEM block");
                }
                byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 26, end));
                key = publicKey(der);
            }
            if (key instanceof RSAPublicKey rsa) {
                return new RSAKey.Builder(rsa).keyUse(KeyUse.SIGNATURE).build();
            }
            if (key instanceof ECPublicKey ec) {
                return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec)
                        .keyUse(KeyUse.SIGNATURE)
                        .build();
            }
            throw new IllegalArgumentException(file + " holds neither an RSA nor an EC public key");
        } catch (GeneralSecurityException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot read public key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static PublicKey publicKey(byte[] der) throws GeneralSecurityException {
        X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
        try {
            return KeyFactory.getInstance("RSA").generatePublic(spec);
        } catch (GeneralSecurityException notRsa) {
            return KeyFactory.getInstance("EC").generatePublic(spec);
        }
    }

    private static JWKSource<SecurityContext> jwks(String location) {
        if (location.startsWith("http://") || location.startsWith("https://")) {
            try {
                // Cached, refreshed ahead of expiry, rate-limited and size-limited by the library.
                return JWKSourceBuilder.<SecurityContext>create(
                                URI.create(location).toURL())
                        .retrying(true)
                        .build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("bad JWKS URL " + location + ": " + e.getMessage(), e);
            }
        }
        try {
            JWKSet set = JWKSet.load(Path.of(location).toFile());
            // Public keys only: a symmetric key in a JWKS would reopen the HMAC door.
            List<JWK> keys = new ArrayList<>();
            for (JWK k : set.getKeys()) {
                if (k instanceof RSAKey || k instanceof ECKey) {
                    keys.add(k.toPublicJWK());
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("JWKS file " + location + " holds no RSA or EC key");
            }
            return new ImmutableJWKSet<>(new JWKSet(keys));
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("cannot read JWKS file " + location + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
