package io.lhttp.upstream;

import static io.lhttp.config.LhttpConfig.UPSTREAM_ALLOW;
import static io.lhttp.config.LhttpConfig.UPSTREAM_FORWARD_HEADERS;

import io.lhttp.config.ConfigValues;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Where {@code upstream} may call ({@code lhttp.upstream.allow}) and which sensitive headers it
 * forwards ({@code lhttp.upstream.forward-headers}), read (and a bad value refused, naming the
 * key) when the application starts. The other upstream limits are plain values of {@code LhttpConfig}.
 */
@ApplicationScoped
public class UpstreamConfig {

    @Inject
    Config config;

    private AllowList allow;
    private Set<String> forwardHeaders;

    @PostConstruct
    void load() {
        try {
            allow = AllowList.parse(
                    config.getOptionalValue(UPSTREAM_ALLOW, String.class).orElse(""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(UPSTREAM_ALLOW + ": " + e.getMessage(), e);
        }
        try {
            forwardHeaders =
                    UpstreamRequest.Forwarding.parseNames(ConfigValues.string(config, UPSTREAM_FORWARD_HEADERS, ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(UPSTREAM_FORWARD_HEADERS + ": " + e.getMessage(), e);
        }
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        Logger.getLogger(UpstreamConfig.class.getName())
                .info(() -> "lhttp upstream: upstream.allow=" + (allow.isEmpty() ? "none (upstream off)" : allow)
                        + ", upstream.forward-headers=" + forwardHeaders);
    }

    /** The URL prefixes {@code upstream} may call; empty = upstream off. */
    public AllowList allow() {
        return allow;
    }

    /** Sensitive client headers (lower case) forwarded upstream anyway. */
    public Set<String> forwardHeaders() {
        return forwardHeaders;
    }
}
