package io.lhttp.proxy;

import static io.lhttp.config.ConfigKeys.DEFAULT_PROXY_CONNECT_HEADERS;
import static io.lhttp.config.ConfigKeys.DEFAULT_PROXY_MAX_IN_FLIGHT;
import static io.lhttp.config.ConfigKeys.DEFAULT_PROXY_MAX_RESPONSE_BYTES;
import static io.lhttp.config.ConfigKeys.DEFAULT_PROXY_SUBSCRIBE_CHANNELS;
import static io.lhttp.config.ConfigKeys.DEFAULT_PROXY_TIMEOUT_MS;
import static io.lhttp.config.ConfigKeys.PROXY_CONNECT_HEADERS;
import static io.lhttp.config.ConfigKeys.PROXY_CONNECT_URL;
import static io.lhttp.config.ConfigKeys.PROXY_MAX_IN_FLIGHT;
import static io.lhttp.config.ConfigKeys.PROXY_MAX_RESPONSE_BYTES;
import static io.lhttp.config.ConfigKeys.PROXY_SUBSCRIBE_CHANNELS;
import static io.lhttp.config.ConfigKeys.PROXY_SUBSCRIBE_URL;
import static io.lhttp.config.ConfigKeys.PROXY_TIMEOUT;

import io.lhttp.config.ConfigValues;
import io.lhttp.config.Secrets;
import io.lhttp.protocol.ChannelPatterns;
import io.lhttp.upstream.AllowList;
import io.lhttp.upstream.UpstreamRequest;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * The proxies' keys (docs/PROXY.md), read when the application starts; a bad value stops the
 * deployment with a message naming the key. The URLs obey the {@code upstream} allow-list's rules
 * ({@link AllowList}): {@code http}/{@code https}, a plain host, no user info, no dot or encoded
 * segments, no query.
 */
@ApplicationScoped
public class ProxyConfig {

    @Inject
    Config config;

    private URI connectUrl;
    private URI subscribeUrl;
    private ChannelPatterns subscribeChannels;
    private Set<String> connectHeaders;
    private Duration timeout;
    private int maxResponseBytes;
    private int maxInFlight;

    @PostConstruct
    void load() {
        connectUrl = url(PROXY_CONNECT_URL);
        subscribeUrl = url(PROXY_SUBSCRIBE_URL);
        subscribeChannels = ChannelPatterns.parse(
                ConfigValues.string(config, PROXY_SUBSCRIBE_CHANNELS, DEFAULT_PROXY_SUBSCRIBE_CHANNELS));
        try {
            connectHeaders = UpstreamRequest.Forwarding.parseNames(
                    ConfigValues.string(config, PROXY_CONNECT_HEADERS, DEFAULT_PROXY_CONNECT_HEADERS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROXY_CONNECT_HEADERS + ": " + e.getMessage(), e);
        }
        timeout = Duration.ofMillis(ConfigValues.positive(config, PROXY_TIMEOUT, DEFAULT_PROXY_TIMEOUT_MS));
        maxResponseBytes = ConfigValues.positive(config, PROXY_MAX_RESPONSE_BYTES, DEFAULT_PROXY_MAX_RESPONSE_BYTES);
        maxInFlight = ConfigValues.positive(config, PROXY_MAX_IN_FLIGHT, DEFAULT_PROXY_MAX_IN_FLIGHT);
    }

    /** A proxy URL checked by the allow-list's rules, or null when the key is empty. */
    private URI url(String key) {
        String value = ConfigValues.string(config, key, "");
        if (value.isEmpty()) {
            return null;
        }
        try {
            return AllowList.parse(value).check(value);
        } catch (IllegalArgumentException | AllowList.Refused | java.net.URISyntaxException e) {
            throw new IllegalArgumentException(key + ": " + Secrets.maskUrls(e.getMessage()), e);
        }
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        if (connectUrl != null || subscribeUrl != null) {
            Logger.getLogger(ProxyConfig.class.getName())
                    .info(() -> "lhttp proxies: connect="
                            + (connectUrl == null ? "off" : Secrets.maskUrls(connectUrl.toString()))
                            + ", subscribe="
                            + (subscribeUrl == null ? "off" : Secrets.maskUrls(subscribeUrl.toString()))
                            + " for " + subscribeChannels + ", connect-headers=" + connectHeaders + ", timeout="
                            + timeout.toMillis() + "ms, max-response-bytes=" + maxResponseBytes + ", max-in-flight="
                            + maxInFlight);
        }
    }

    /** The connect proxy's URL, or null: off. */
    public URI connectUrl() {
        return connectUrl;
    }

    /** The subscribe proxy's URL, or null: off. */
    public URI subscribeUrl() {
        return subscribeUrl;
    }

    /** The channels whose subscribes the subscribe proxy decides. */
    public ChannelPatterns subscribeChannels() {
        return subscribeChannels;
    }

    /** Handshake header names (lower case) sent to the connect proxy. */
    public Set<String> connectHeaders() {
        return connectHeaders;
    }

    public Duration timeout() {
        return timeout;
    }

    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    public int maxInFlight() {
        return maxInFlight;
    }
}
