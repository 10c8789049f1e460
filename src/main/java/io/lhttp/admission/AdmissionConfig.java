package io.lhttp.admission;

import static io.lhttp.config.LhttpConfig.TRUSTED_PROXIES;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/** The {@code lhttp.trusted-proxies} rule, read (and a bad value refused, naming the key) when the application starts. */
@ApplicationScoped
public class AdmissionConfig {

    @Inject
    Config config;

    private TrustedProxies trustedProxies;

    /** For CDI. */
    protected AdmissionConfig() {}

    /** A configuration with {@code trustedProxies}, for code that runs outside CDI (tests). */
    public AdmissionConfig(TrustedProxies trustedProxies) {
        this.trustedProxies = trustedProxies;
    }

    @PostConstruct
    void load() {
        try {
            trustedProxies = TrustedProxies.parse(
                    config.getOptionalValue(TRUSTED_PROXIES, String.class).orElse(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(TRUSTED_PROXIES + ": " + e.getMessage(), e);
        }
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Logger.getLogger(AdmissionConfig.class.getName())
                .info(() -> "lhttp admission: trusted-proxies=" + trustedProxies);
    }

    /** The {@code lhttp.trusted-proxies} rule for finding a client's address. */
    public TrustedProxies trustedProxies() {
        return trustedProxies;
    }
}
