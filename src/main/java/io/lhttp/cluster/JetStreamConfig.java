package io.lhttp.cluster;

import static io.lhttp.config.LhttpConfig.DEFAULT_HISTORY_MAX_REPLAYS;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_MAX_PENDING_PER_CONNECTION;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_REPLICAS;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_REQUIRED;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_STORAGE;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_STREAM;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_SUBJECT_PREFIX;
import static io.lhttp.config.LhttpConfig.DEFAULT_JETSTREAM_TIMEOUT_MS;
import static io.lhttp.config.LhttpConfig.HISTORY_CHANNELS;
import static io.lhttp.config.LhttpConfig.HISTORY_MAX_REPLAYS;
import static io.lhttp.config.LhttpConfig.JETSTREAM_MAX_PENDING_PER_CONNECTION;
import static io.lhttp.config.LhttpConfig.JETSTREAM_REPLICAS;
import static io.lhttp.config.LhttpConfig.JETSTREAM_REQUIRED;
import static io.lhttp.config.LhttpConfig.JETSTREAM_STORAGE;
import static io.lhttp.config.LhttpConfig.JETSTREAM_STREAM;
import static io.lhttp.config.LhttpConfig.JETSTREAM_SUBJECT_PREFIX;
import static io.lhttp.config.LhttpConfig.JETSTREAM_TIMEOUT_MS;
import static io.lhttp.config.LhttpConfig.NATS_SUBJECT_PREFIX;

import io.lhttp.channel.HistoryConfig;
import io.lhttp.config.ConfigValues;
import io.lhttp.config.LhttpConfig;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Where the NATS bus keeps history ({@code lhttp.jetstream.*}), read (and a bad value refused,
 * naming the key) when the application starts.
 */
@ApplicationScoped
public class JetStreamConfig {

    @Inject
    Config config;

    @Inject
    LhttpConfig lhttp;

    @Inject
    HistoryConfig history;

    private JetStreamSettings jetStream;

    @PostConstruct
    void load() {
        String storage = ConfigValues.string(config, JETSTREAM_STORAGE, DEFAULT_JETSTREAM_STORAGE)
                .toLowerCase(Locale.ROOT);
        if (!storage.equals("file") && !storage.equals("memory")) {
            throw new IllegalArgumentException(
                    JETSTREAM_STORAGE + " must be 'file' or 'memory', not '" + storage + "'");
        }
        String stream = ConfigValues.string(config, JETSTREAM_STREAM, DEFAULT_JETSTREAM_STREAM);
        if (!stream.matches("[A-Za-z0-9_\\-]{1,64}")) {
            throw new IllegalArgumentException(
                    JETSTREAM_STREAM + " may hold only A-Z a-z 0-9 _ -, not '" + stream + "'");
        }
        String prefix = ConfigValues.string(config, JETSTREAM_SUBJECT_PREFIX, DEFAULT_JETSTREAM_SUBJECT_PREFIX);
        if (!prefix.matches("[A-Za-z0-9_\\-:@/]+(\\.[A-Za-z0-9_\\-:@/]+)*\\.")) {
            throw new IllegalArgumentException(JETSTREAM_SUBJECT_PREFIX + " must be tokens of A-Z a-z 0-9 _ - : @ /"
                    + " ending with '.', not '" + prefix + "'");
        }
        String natsSubjectPrefix = lhttp.natsSubjectPrefix();
        if (!lhttp.natsUrl().isEmpty() && history.history().isEnabled()) {
            // The stream republishes <prefix>.> to <nats prefix>.>: both must be whole tokens, and disjoint.
            if (!natsSubjectPrefix.endsWith(".")) {
                throw new IllegalArgumentException(HISTORY_CHANNELS + " with NATS needs " + NATS_SUBJECT_PREFIX
                        + " to end with '.', not '" + natsSubjectPrefix + "'");
            }
            if (prefix.startsWith(natsSubjectPrefix) || natsSubjectPrefix.startsWith(prefix)) {
                throw new IllegalArgumentException(
                        JETSTREAM_SUBJECT_PREFIX + " '" + prefix + "' and " + NATS_SUBJECT_PREFIX + " '"
                                + natsSubjectPrefix + "' overlap: neither may start with the other");
            }
        }
        jetStream = new JetStreamSettings(
                stream,
                prefix,
                storage.equals("memory"),
                ConfigValues.positive(config, JETSTREAM_REPLICAS, DEFAULT_JETSTREAM_REPLICAS),
                config.getOptionalValue(JETSTREAM_REQUIRED, Boolean.class).orElse(DEFAULT_JETSTREAM_REQUIRED),
                Duration.ofMillis(ConfigValues.positive(config, JETSTREAM_TIMEOUT_MS, DEFAULT_JETSTREAM_TIMEOUT_MS)),
                ConfigValues.positive(config, HISTORY_MAX_REPLAYS, DEFAULT_HISTORY_MAX_REPLAYS),
                ConfigValues.positive(
                        config, JETSTREAM_MAX_PENDING_PER_CONNECTION, DEFAULT_JETSTREAM_MAX_PENDING_PER_CONNECTION),
                Duration.ofMillis(ConfigValues.positive(
                        config, LhttpConfig.IDEMPOTENCY_WINDOW_MS, LhttpConfig.DEFAULT_IDEMPOTENCY_WINDOW_MS)));
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (!lhttp.natsUrl().isEmpty()) {
            Logger.getLogger(JetStreamConfig.class.getName()).info(() -> "lhttp jetstream: " + jetStream);
        }
    }

    /** Where the NATS bus keeps history. */
    public JetStreamSettings jetStream() {
        return jetStream;
    }
}
