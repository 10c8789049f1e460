package io.lhttp.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/** Makes signed test tokens with the library (tests never hand-roll signatures either). */
public final class Tokens {

    private Tokens() {}

    public static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    public static KeyPair ec256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    public static String pem(java.security.PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** Claims for {@code user} valid from now-1min until {@code exp}, with a {@code channels} claim. */
    public static JWTClaimsSet.Builder claims(String user, Instant exp, List<String> channels) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder()
                .subject(user)
                .expirationTime(Date.from(exp))
                .issueTime(new Date());
        if (channels != null) {
            b.claim(TokenVerifier.CHANNELS_CLAIM, channels);
        }
        return b;
    }

    public static String hmac(String secret, JWTClaimsSet claims) throws JOSEException {
        return sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)), JWSAlgorithm.HS256, claims);
    }

    public static String hmac(byte[] secret, JWSAlgorithm alg, JWTClaimsSet claims) throws JOSEException {
        return sign(new MACSigner(secret), alg, claims);
    }

    public static String rsa(PrivateKey key, JWTClaimsSet claims) throws JOSEException {
        return sign(new RSASSASigner(key), JWSAlgorithm.RS256, claims);
    }

    public static String ec(PrivateKey key, JWTClaimsSet claims) throws JOSEException {
        return sign(new ECDSASigner((ECPrivateKey) key), JWSAlgorithm.ES256, claims);
    }

    private static String sign(JWSSigner signer, JWSAlgorithm alg, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
