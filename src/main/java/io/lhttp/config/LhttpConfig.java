package io.lhttp.config;

import io.lhttp.protocol.Limits;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.MultipartParser;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;

/**
 * Every tunable of the server: a MicroProfile Config key under {@code lhttp.}, so also a system
 * property ({@code -Dlhttp.max-frame-bytes=...}) or an environment variable
 * ({@code LHTTP_MAX_FRAME_BYTES}). Read and checked once at start-up; a bad value fails the
 * deployment with a message naming the key rather than misbehaving later.
 */
@ApplicationScoped
public class LhttpConfig implements ConfigKeys {

    private static final Logger LOG = Logger.getLogger(LhttpConfig.class.getName());

    /** Slow-consumer policies. */
    public enum SlowConsumerPolicy {
        CLOSE,
        DROP
    }

    @Inject
    Config config;

    private Limits limits;
    private MessageParser parser;
    private int maxFrameHardBytes;
    private int maxChannels;
    private int maxConnections;
    private int maxMessagesPerSecond;
    private int sendQueue;
    private int sendBatch;
    private SlowConsumerPolicy slowConsumer;
    private Duration sendTimeout;
    private boolean errorsReply;
    private String publishToken;
    private String natsUrl;
    private String natsSubjectPrefix;
    private Duration natsPingInterval;
    private String instanceName;
    private MultipartParser multipartParser;
    private Duration upstreamTimeout;
    private int upstreamMaxInFlight;
    private int upstreamMaxInFlightTotal;
    private int upstreamMaxResponseBytes;
    private boolean auth;
    private boolean publishAllowRemote;
    private Duration authClockSkew;
    private String authCookie;
    private java.util.Set<String> publishStripHeaders;

    private int maxConnectionsPerAddress;
    private int upstreamMaxInFlightPerAddress;
    private int publishMaxConcurrent;
    private int publishMaxConcurrentPerAddress;
    private Duration publishReadTimeout;
    private Duration shutdownDrain;
    private int presenceMaxEntries;
    private Duration presenceTimeout;
    private String presenceNotify;
    private long inboundBufferTotalBytes;
    private Duration frameTimeout;
    private int sendQueueBytes;
    private int batchBytes;
    private int sendQueueBurstBytes;
    private Duration sendStall;
    private Duration pingInterval;
    private Duration idleTimeout;
    private String sdkCorsOrigins;
    private boolean metricsEnabled;
    private boolean statusAllowRemote;

    @PostConstruct
    void load() {
        int maxFrameBytes = positive(MAX_FRAME_BYTES, Limits.DEFAULT_MAX_FRAME_BYTES);
        limits = new Limits(maxFrameBytes, positive(MAX_HEADERS, Limits.DEFAULT_MAX_HEADERS));
        parser = new MessageParser(limits);
        maxFrameHardBytes = positive(MAX_FRAME_HARD_BYTES, DEFAULT_MAX_FRAME_HARD_BYTES);
        if (maxFrameHardBytes < maxFrameBytes) {
            throw new IllegalArgumentException(MAX_FRAME_HARD_BYTES + " (" + maxFrameHardBytes + ") must not be below "
                    + MAX_FRAME_BYTES + " (" + maxFrameBytes + ")");
        }
        maxChannels = positive(MAX_CHANNELS, DEFAULT_MAX_CHANNELS);
        maxConnections = positive(MAX_CONNECTIONS, DEFAULT_MAX_CONNECTIONS);
        maxMessagesPerSecond = atLeast(MAX_MESSAGES_PER_SECOND, DEFAULT_MAX_MESSAGES_PER_SECOND, 0);
        sendQueue = positive(SEND_QUEUE, DEFAULT_SEND_QUEUE);
        sendBatch = positive(SEND_BATCH, DEFAULT_SEND_BATCH);
        String policy = config.getOptionalValue(SLOW_CONSUMER, String.class)
                .orElse(DEFAULT_SLOW_CONSUMER)
                .trim();
        try {
            slowConsumer = SlowConsumerPolicy.valueOf(policy.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(SLOW_CONSUMER + " must be 'close' or 'drop', not '" + policy + "'");
        }
        sendTimeout = Duration.ofMillis(atLeast(SEND_TIMEOUT_MS, (int) DEFAULT_SEND_TIMEOUT_MS, 1));
        errorsReply = config.getOptionalValue(ERRORS_REPLY, Boolean.class).orElse(true);
        publishToken =
                config.getOptionalValue(PUBLISH_TOKEN, String.class).orElse("").trim();
        natsUrl = config.getOptionalValue(NATS_URL, String.class).orElse("").trim();
        natsSubjectPrefix =
                config.getOptionalValue(NATS_SUBJECT_PREFIX, String.class).orElse(DEFAULT_NATS_SUBJECT_PREFIX);
        natsPingInterval = Duration.ofMillis(positive(NATS_PING_INTERVAL_MS, DEFAULT_NATS_PING_INTERVAL_MS));
        // Channel names are checked so that clients cannot inject wildcards; the prefix must not either.
        if (!natsSubjectPrefix.matches("[A-Za-z0-9_\\-.:@/]*")) {
            throw new IllegalArgumentException(
                    NATS_SUBJECT_PREFIX + " may hold only A-Z a-z 0-9 _ - . : @ /, not '" + natsSubjectPrefix + "'");
        }
        instanceName = config.getOptionalValue(INSTANCE_NAME, String.class)
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .orElseGet(LhttpConfig::defaultInstanceName);
        multipartParser =
                new MultipartParser(positive(MAX_PARTS, MultipartParser.DEFAULT_MAX_PARTS), limits.maxHeaders());
        upstreamTimeout = Duration.ofMillis(positive(UPSTREAM_TIMEOUT, DEFAULT_UPSTREAM_TIMEOUT_MS));
        upstreamMaxInFlight = positive(UPSTREAM_MAX_IN_FLIGHT, DEFAULT_UPSTREAM_MAX_IN_FLIGHT);
        upstreamMaxInFlightTotal = positive(UPSTREAM_MAX_IN_FLIGHT_TOTAL, DEFAULT_UPSTREAM_MAX_IN_FLIGHT_TOTAL);
        upstreamMaxResponseBytes = positive(UPSTREAM_MAX_RESPONSE_BYTES, DEFAULT_UPSTREAM_MAX_RESPONSE_BYTES);
        loadSecurity();
        loadAdmission();
        loadConnectionIo();
        sdkCorsOrigins = config.getOptionalValue(SDK_CORS_ORIGINS, String.class)
                .orElse(DEFAULT_SDK_CORS_ORIGINS)
                .trim();
        metricsEnabled = config.getOptionalValue(METRICS_ENABLED, Boolean.class).orElse(DEFAULT_METRICS_ENABLED);
        statusAllowRemote =
                config.getOptionalValue(STATUS_ALLOW_REMOTE, Boolean.class).orElse(DEFAULT_STATUS_ALLOW_REMOTE);
        presenceMaxEntries = positive(PRESENCE_MAX_ENTRIES, DEFAULT_PRESENCE_MAX_ENTRIES);
        presenceTimeout = Duration.ofMillis(positive(PRESENCE_TIMEOUT_MS, DEFAULT_PRESENCE_TIMEOUT_MS));
        presenceNotify = config.getOptionalValue(PRESENCE_NOTIFY, String.class)
                .orElse("")
                .trim();
    }

    public int presenceMaxEntries() {
        return presenceMaxEntries;
    }

    public Duration presenceTimeout() {
        return presenceTimeout;
    }

    /** {@link #SSE_WRITER_THREADS}: threads writing SSE streams' events. */
    public int sseWriterThreads() {
        return positive(SSE_WRITER_THREADS, DEFAULT_SSE_WRITER_THREADS);
    }

    /** {@link #PRESENCE_NOTIFY}: the channel patterns with join/leave frames, "" for none. */
    public String presenceNotify() {
        return presenceNotify;
    }

    private void loadAdmission() {
        maxConnectionsPerAddress = positive(MAX_CONNECTIONS_PER_ADDRESS, DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
        upstreamMaxInFlightPerAddress =
                positive(UPSTREAM_MAX_IN_FLIGHT_PER_ADDRESS, DEFAULT_UPSTREAM_MAX_IN_FLIGHT_PER_ADDRESS);
        publishMaxConcurrent = positive(PUBLISH_MAX_CONCURRENT, DEFAULT_PUBLISH_MAX_CONCURRENT);
        publishMaxConcurrentPerAddress =
                positive(PUBLISH_MAX_CONCURRENT_PER_ADDRESS, DEFAULT_PUBLISH_MAX_CONCURRENT_PER_ADDRESS);
        publishReadTimeout = Duration.ofMillis(positive(PUBLISH_READ_TIMEOUT_MS, DEFAULT_PUBLISH_READ_TIMEOUT_MS));
        shutdownDrain = Duration.ofMillis(atLeast(SHUTDOWN_DRAIN_MS, DEFAULT_SHUTDOWN_DRAIN_MS, 0));
    }

    private void loadConnectionIo() {
        inboundBufferTotalBytes = longAtLeast(INBOUND_BUFFER_TOTAL_BYTES, DEFAULT_INBOUND_BUFFER_TOTAL_BYTES, 1);
        frameTimeout = Duration.ofMillis(longAtLeast(FRAME_TIMEOUT_MS, DEFAULT_FRAME_TIMEOUT_MS, 1));
        sendQueueBytes = positive(SEND_QUEUE_BYTES, DEFAULT_SEND_QUEUE_BYTES);
        batchBytes = atLeast(BATCH_BYTES, DEFAULT_BATCH_BYTES, 0);
        sendQueueBurstBytes = positive(SEND_QUEUE_BURST_BYTES, DEFAULT_SEND_QUEUE_BURST_BYTES);
        if (sendQueueBurstBytes < sendQueueBytes) {
            throw new IllegalArgumentException(SEND_QUEUE_BURST_BYTES + " (" + sendQueueBurstBytes
                    + ") must not be below " + SEND_QUEUE_BYTES + " (" + sendQueueBytes + ")");
        }
        sendStall = Duration.ofMillis(longAtLeast(SEND_STALL_MS, DEFAULT_SEND_STALL_MS, 0));
        pingInterval = Duration.ofMillis(longAtLeast(PING_INTERVAL_MS, DEFAULT_PING_INTERVAL_MS, 0));
        idleTimeout = Duration.ofMillis(longAtLeast(IDLE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, 0));
        if (!idleTimeout.isZero() && !pingInterval.isZero() && pingInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException(PING_INTERVAL_MS + " (" + pingInterval.toMillis()
                    + ") must be below " + IDLE_TIMEOUT_MS + " (" + idleTimeout.toMillis()
                    + "), or a live client is closed before it is asked to answer");
        }
    }

    private long longAtLeast(String key, long defaultValue, long min) {
        long value = config.getOptionalValue(key, Long.class).orElse(defaultValue);
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    /** Bytes all connections together may hold in unfinished frames ({@link #INBOUND_BUFFER_TOTAL_BYTES}). */
    public long inboundBufferTotalBytes() {
        return inboundBufferTotalBytes;
    }

    /** Longest time from a frame's first part to its last ({@link #FRAME_TIMEOUT_MS}). */
    public Duration frameTimeout() {
        return frameTimeout;
    }

    /** Bytes one connection's send queue holds before the slow-consumer policy applies ({@link #SEND_QUEUE_BYTES}). */
    public int sendQueueBytes() {
        return sendQueueBytes;
    }

    /** Most chars in one batch frame to a client that negotiated batching ({@link #BATCH_BYTES}); 0 = never pack. */
    public int batchBytes() {
        return batchBytes;
    }

    /** Bytes a send queue may reach during a burst its client keeps reading ({@link #SEND_QUEUE_BURST_BYTES}). */
    public int sendQueueBurstBytes() {
        return sendQueueBurstBytes;
    }

    /** Time without an acknowledged send after which a queue over its bounds counts as stalled ({@link #SEND_STALL_MS}). */
    public Duration sendStall() {
        return sendStall;
    }

    /** Quiet time after which a connection is pinged; zero = never ({@link #PING_INTERVAL_MS}). */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** Quiet time after which a connection is closed; zero = never ({@link #IDLE_TIMEOUT_MS}). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    void logOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.info(() -> "lhttp configuration: bus="
                + (natsUrl.isEmpty()
                        ? "in-process"
                        : "nats " + Secrets.maskUrls(natsUrl) + " (ping every " + natsPingInterval.toMillis() + "ms)")
                + ", max-frame-bytes=" + limits.maxFrameBytes() + ", max-frame-hard-bytes=" + maxFrameHardBytes
                + ", max-headers=" + limits.maxHeaders() + ", max-channels=" + maxChannels
                + ", max-connections=" + maxConnections
                + ", max-messages-per-second=" + maxMessagesPerSecond + ", send-queue=" + sendQueue
                + ", send-batch=" + sendBatch + ", slow-consumer=" + slowConsumer + ", errors.reply=" + errorsReply
                + ", publish.token=" + (publishToken.isEmpty() ? "none" : "set")
                + ", max-parts=" + multipartParser.maxParts()
                + ", upstream.timeout=" + upstreamTimeout.toMillis() + "ms, upstream.max-in-flight="
                + upstreamMaxInFlight
                + ", upstream.max-in-flight-total=" + upstreamMaxInFlightTotal
                + ", upstream.max-response-bytes=" + upstreamMaxResponseBytes + ", instance-name=" + instanceName
                + ", max-connections-per-address=" + maxConnectionsPerAddress
                + ", upstream.max-in-flight-per-address=" + upstreamMaxInFlightPerAddress
                + ", publish.max-concurrent=" + publishMaxConcurrent
                + ", publish.max-concurrent-per-address=" + publishMaxConcurrentPerAddress
                + ", publish.read-timeout-ms=" + publishReadTimeout.toMillis()
                + ", shutdown-drain-ms=" + shutdownDrain.toMillis()
                + ", inbound-buffer-total-bytes=" + inboundBufferTotalBytes + ", frame-timeout-ms="
                + frameTimeout.toMillis()
                + ", send-queue-bytes=" + sendQueueBytes + ", batch-bytes=" + batchBytes + ", send-queue-burst-bytes="
                + sendQueueBurstBytes
                + ", send-stall-ms=" + sendStall.toMillis() + ", ping-interval-ms=" + pingInterval.toMillis()
                + ", idle-timeout-ms=" + idleTimeout.toMillis()
                + ", metrics.enabled=" + metricsEnabled + ", status.allow-remote-without-token=" + statusAllowRemote
                + ", presence.max-entries=" + presenceMaxEntries + ", presence.timeout-ms=" + presenceTimeout.toMillis()
                + ", presence.notify=" + (presenceNotify.isEmpty() ? "none" : presenceNotify));
        if (maxConnectionsPerAddress >= maxConnections) {
            LOG.warning(() -> MAX_CONNECTIONS_PER_ADDRESS + " (" + maxConnectionsPerAddress + ") is not below "
                    + MAX_CONNECTIONS + " (" + maxConnections + "): one client address can take every connection");
        }
    }

    private void loadSecurity() {
        auth = config.getOptionalValue(AUTH, Boolean.class).orElse(false);
        authCookie = string(AUTH_COOKIE, DEFAULT_AUTH_COOKIE);
        authClockSkew = Duration.ofSeconds(atLeast(AUTH_CLOCK_SKEW_SECONDS, DEFAULT_AUTH_CLOCK_SKEW_SECONDS, 0));
        publishAllowRemote =
                config.getOptionalValue(PUBLISH_ALLOW_REMOTE, Boolean.class).orElse(false);
        String strip = string(PUBLISH_STRIP_HEADERS, DEFAULT_PUBLISH_STRIP_HEADERS);
        publishStripHeaders = strip.equalsIgnoreCase("none") ? java.util.Set.of() : names(strip);
    }

    void logSecurityOnStart(@Observes @Initialized(ApplicationScoped.class) Object started) {
        LOG.info(() -> "lhttp publish: publish="
                + (!publishToken.isEmpty() ? "bearer token" : publishAllowRemote ? "open to all" : "loopback only")
                + ", publish.strip-headers=" + publishStripHeaders);
    }

    private String string(String key, String defaultValue) {
        return config.getOptionalValue(key, String.class).map(String::trim).orElse(defaultValue);
    }

    private static java.util.Set<String> names(String list) {
        java.util.Set<String> names = new java.util.LinkedHashSet<>();
        for (String n : list.split(",")) {
            String name = n.trim().toLowerCase(java.util.Locale.ROOT);
            if (!name.isEmpty()) {
                names.add(name);
            }
        }
        return java.util.Collections.unmodifiableSet(names);
    }

    /** Whether connections must authenticate with a token ({@link #AUTH}). */
    public boolean auth() {
        return auth;
    }

    /** Whether {@code POST /publish} without a token is open to other hosts. */
    public boolean publishAllowRemote() {
        return publishAllowRemote;
    }

    /** How far token times may be off. */
    public Duration authClockSkew() {
        return authClockSkew;
    }

    /** The cookie a handshake's token may come in. */
    public String authCookie() {
        return authCookie;
    }

    /** Header keys (lower case) never published from a client's message. */
    public java.util.Set<String> publishStripHeaders() {
        return publishStripHeaders;
    }

    private static String defaultInstanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "localhost";
        }
        // The HTTP port is not known portably at start-up; the pid tells instances on one host apart.
        return "lhttp@" + host + "/" + ProcessHandle.current().pid();
    }

    private int positive(String key, int defaultValue) {
        return atLeast(key, defaultValue, 1);
    }

    private int atLeast(String key, int defaultValue, int min) {
        int value = config.getOptionalValue(key, Integer.class).orElse(defaultValue);
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", not " + value);
        }
        return value;
    }

    public Limits limits() {
        return limits;
    }

    /** The parser for client frames, with this configuration's limits; thread-safe. */
    public MessageParser parser() {
        return parser;
    }

    public int maxFrameHardBytes() {
        return maxFrameHardBytes;
    }

    public int maxChannels() {
        return maxChannels;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int maxMessagesPerSecond() {
        return maxMessagesPerSecond;
    }

    public int sendQueue() {
        return sendQueue;
    }

    public int sendBatch() {
        return sendBatch;
    }

    public SlowConsumerPolicy slowConsumer() {
        return slowConsumer;
    }

    public Duration sendTimeout() {
        return sendTimeout;
    }

    public boolean errorsReply() {
        return errorsReply;
    }

    public String publishToken() {
        return publishToken;
    }

    public String natsUrl() {
        return natsUrl;
    }

    public Duration natsPingInterval() {
        return natsPingInterval;
    }

    public String natsSubjectPrefix() {
        return natsSubjectPrefix;
    }

    /** The NATS server URLs of {@link #NATS_URL}, split at commas; empty for the in-process bus. */
    public List<String> natsServers() {
        return Arrays.stream(natsUrl.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    public String instanceName() {
        return instanceName;
    }

    /** The parser for {@code multipart} bodies, with this configuration's limits; thread-safe. */
    public MultipartParser multipartParser() {
        return multipartParser;
    }

    public Duration upstreamTimeout() {
        return upstreamTimeout;
    }

    public int upstreamMaxInFlightTotal() {
        return upstreamMaxInFlightTotal;
    }

    public int upstreamMaxInFlight() {
        return upstreamMaxInFlight;
    }

    public int upstreamMaxResponseBytes() {
        return upstreamMaxResponseBytes;
    }

    public int maxConnectionsPerAddress() {
        return maxConnectionsPerAddress;
    }

    public int upstreamMaxInFlightPerAddress() {
        return upstreamMaxInFlightPerAddress;
    }

    public int publishMaxConcurrent() {
        return publishMaxConcurrent;
    }

    public int publishMaxConcurrentPerAddress() {
        return publishMaxConcurrentPerAddress;
    }

    public Duration publishReadTimeout() {
        return publishReadTimeout;
    }

    public Duration shutdownDrain() {
        return shutdownDrain;
    }

    /** {@link #SDK_CORS_ORIGINS}: "*", a space-separated list of origins, or "" (no CORS headers). */
    public String sdkCorsOrigins() {
        return sdkCorsOrigins;
    }

    /** {@link #METRICS_ENABLED}. */
    public boolean metricsEnabled() {
        return metricsEnabled;
    }

    /** {@link #STATUS_ALLOW_REMOTE}. */
    public boolean statusAllowRemote() {
        return statusAllowRemote;
    }
}
