package io.lhttp.channel;

import static io.lhttp.config.LhttpConfig.DEFAULT_IDEMPOTENCY_MAX_KEYS;
import static io.lhttp.config.LhttpConfig.DEFAULT_IDEMPOTENCY_WINDOW_MS;
import static io.lhttp.config.LhttpConfig.IDEMPOTENCY_MAX_KEYS;
import static io.lhttp.config.LhttpConfig.IDEMPOTENCY_WINDOW_MS;

import io.lhttp.config.ConfigValues;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/** Idempotent publishes ({@code lhttp.idempotency.*}), read (a bad value refused, naming the key) at start. */
@ApplicationScoped
public class IdempotencyConfig {

    @Inject
    Config config;

    private IdempotencyWindow window;

    @PostConstruct
    void load() {
        window = new IdempotencyWindow(
                ConfigValues.positive(config, IDEMPOTENCY_WINDOW_MS, DEFAULT_IDEMPOTENCY_WINDOW_MS),
                ConfigValues.positive(config, IDEMPOTENCY_MAX_KEYS, DEFAULT_IDEMPOTENCY_MAX_KEYS));
    }

    /** This instance's in-memory window (one per instance). */
    public IdempotencyWindow window() {
        return window;
    }
}
