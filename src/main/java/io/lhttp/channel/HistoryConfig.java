package io.lhttp.channel;

import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_CHANNEL_MAX_BYTES;
import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_MAX_BYTES;
import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_MAX_CHANNELS;
import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_SIZE;
import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_TTL_MS;
import static io.lhttp.config.LhttpConfig.HISTORY_CHANNELS;
import static io.lhttp.config.LhttpConfig.HISTORY_CHANNEL_MAX_BYTES;
import static io.lhttp.config.LhttpConfig.HISTORY_MAX_BYTES;
import static io.lhttp.config.LhttpConfig.HISTORY_MAX_CHANNELS;
import static io.lhttp.config.LhttpConfig.HISTORY_SIZE;
import static io.lhttp.config.LhttpConfig.HISTORY_TTL_MS;

import io.lhttp.config.ConfigValues;
import io.lhttp.memory.MemoryConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Which channels keep history, and how much ({@code lhttp.history.*}), read (and a bad value
 * refused, naming the key) when the application starts.
 */
@ApplicationScoped
public class HistoryConfig {

    @Inject
    Config config;

    @Inject
    MemoryConfig memory;

    private History history;

    @PostConstruct
    void load() {
        String channels =
                config.getOptionalValue(HISTORY_CHANNELS, String.class).orElse("");
        for (String p : channels.split(",")) {
            String name =
                    p.trim().endsWith("*") ? p.trim().substring(0, p.trim().length() - 1) : p.trim();
            if (!name.isEmpty() && !name.matches("[A-Za-z0-9_\\-.:@/]{1,128}")) {
                throw new IllegalArgumentException(
                        HISTORY_CHANNELS + ": not a channel name or prefix: '" + p.trim() + "'");
            }
        }
        history = new History(
                channels,
                ConfigValues.positive(config, HISTORY_SIZE, DEFAULT_HISTORY_SIZE),
                ConfigValues.atLeast(config, HISTORY_TTL_MS, DEFAULT_HISTORY_TTL_MS, 0),
                ConfigValues.positive(config, HISTORY_MAX_CHANNELS, DEFAULT_HISTORY_MAX_CHANNELS),
                ConfigValues.longAtLeast(config, HISTORY_CHANNEL_MAX_BYTES, DEFAULT_HISTORY_CHANNEL_MAX_BYTES, 1),
                ConfigValues.longAtLeast(config, HISTORY_MAX_BYTES, DEFAULT_HISTORY_MAX_BYTES, 1),
                memory.memoryBudget());
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Logger.getLogger(HistoryConfig.class.getName()).info(() -> "lhttp history: " + history);
    }

    /** Which channels keep history, and how much. */
    public History history() {
        return history;
    }
}
