package io.lhttp.security;

import static io.lhttp.config.LhttpConfig.ALLOWED_ORIGINS;
import static io.lhttp.config.LhttpConfig.AUTH;
import static io.lhttp.config.LhttpConfig.AUTH_AUDIENCE;
import static io.lhttp.config.LhttpConfig.AUTH_HMAC_SECRET;
import static io.lhttp.config.LhttpConfig.AUTH_ISSUER;
import static io.lhttp.config.LhttpConfig.AUTH_JWKS;
import static io.lhttp.config.LhttpConfig.AUTH_MAX_TOKEN_CHARS;
import static io.lhttp.config.LhttpConfig.AUTH_PUBLIC_KEY_FILE;
import static io.lhttp.config.LhttpConfig.DEFAULT_AUTH_MAX_TOKEN_CHARS;

import io.lhttp.config.ConfigValues;
import io.lhttp.config.LhttpConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * The token verifier ({@code lhttp.auth.*}) and the allowed origins ({@code lhttp.allowed-origins}),
 * made (and a bad value refused, naming the key) when the application starts.
 */
@ApplicationScoped
public class SecurityConfig {

    @Inject
    Config config;

    @Inject
    LhttpConfig lhttp;

    private TokenVerifier tokenVerifier;
    private AllowedOrigins allowedOrigins;

    @PostConstruct
    void load() {
        TokenVerifier.Settings settings = new TokenVerifier.Settings(
                ConfigValues.string(config, AUTH_HMAC_SECRET, ""),
                ConfigValues.string(config, AUTH_PUBLIC_KEY_FILE, ""),
                ConfigValues.string(config, AUTH_JWKS, ""),
                lhttp.authClockSkew(),
                ConfigValues.string(config, AUTH_ISSUER, ""),
                ConfigValues.string(config, AUTH_AUDIENCE, ""),
                ConfigValues.positive(config, AUTH_MAX_TOKEN_CHARS, DEFAULT_AUTH_MAX_TOKEN_CHARS));
        if (lhttp.auth()) {
            try {
                tokenVerifier = TokenVerifier.create(settings);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(AUTH + "=true: " + e.getMessage(), e);
            }
        }
        try {
            allowedOrigins = AllowedOrigins.parse(ConfigValues.string(config, ALLOWED_ORIGINS, ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(ALLOWED_ORIGINS + ": " + e.getMessage(), e);
        }
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Logger.getLogger(SecurityConfig.class.getName())
                .info(() -> "lhttp security: auth=" + (lhttp.auth() ? "tokens (" + tokenVerifier + ")" : "off")
                        + ", allowed-origins=" + allowedOrigins);
    }

    /** The token verifier when {@code lhttp.auth} is on, else null. */
    public TokenVerifier tokenVerifier() {
        return tokenVerifier;
    }

    /** Which pages may open a WebSocket here (and post to {@code POST /publish} from a browser). */
    public AllowedOrigins allowedOrigins() {
        return allowedOrigins;
    }
}
