package io.lhttp.config;

/**
 * Every configuration key (a MicroProfile Config key under {@code lhttp.}, so also a system property
 * or an environment variable) with its default: the one list, which {@code ConfigKeysDocumentedTest}
 * holds against docs/CONFIGURATION.md's table and {@code server-config/lhttp.properties}. Read as
 * {@code LhttpConfig.KEY}; {@link LhttpConfig} reads the plain values, each feature's
 * {@code …Config} bean the values it makes its own objects from.
 */
public interface ConfigKeys {

    /** Largest frame accepted, in UTF-8 bytes; larger ones get error 413. Default 65536. */
    public static final String MAX_FRAME_BYTES = "lhttp.max-frame-bytes";
    /** Frames over this many bytes close the connection with 1009. Default 1048576 (1 MiB). */
    public static final String MAX_FRAME_HARD_BYTES = "lhttp.max-frame-hard-bytes";

    public static final int DEFAULT_MAX_FRAME_HARD_BYTES = 1 << 20;
    /** Most header lines in one frame; more get error 413. Default 32. */
    public static final String MAX_HEADERS = "lhttp.max-headers";
    /** Most channels one connection may subscribe to; more get error 429. Default 256. */
    public static final String MAX_CHANNELS = "lhttp.max-channels";

    public static final int DEFAULT_MAX_CHANNELS = 256;
    /** Connections this instance accepts at once; more are closed with 1013 (try again later). Default 100000. */
    public static final String MAX_CONNECTIONS = "lhttp.max-connections";

    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    /** Frames one connection may send per second (a token bucket of as many); more get 429. 0 = no limit. Default 10000. */
    public static final String MAX_MESSAGES_PER_SECOND = "lhttp.max-messages-per-second";

    public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 10_000;
    /**
     * Frames queued for one connection before the slow-consumer policy applies, besides the
     * {@code lhttp.send-queue-bytes} bound, which usually acts first (1 MiB is ~7,000 frames of
     * 150 bytes). This one bounds the per-frame overhead of tiny frames. It was 1024 while it was
     * the only bound: a full-speed burst of 10,000 small messages then closed healthy readers on
     * WildFly, whose drain cannot keep up with how fast a publisher's frames are read. Default 16384.
     */
    public static final String SEND_QUEUE = "lhttp.send-queue";

    public static final int DEFAULT_SEND_QUEUE = 16_384;
    /**
     * Frames per acknowledged send on containers that can send without waiting: Tyrus (Payara,
     * GlassFish) through its non-blocking stream writer, so that the container's per-send
     * idle-timer task runs once per batch (docs/BENCHMARKS.md); Undertow (WildFly) through the
     * batching API, one flush per batch. At most this many frames (and {@code lhttp.send-queue-bytes})
     * beyond {@code lhttp.send-queue} are in the container's buffers. 1 = every send acknowledged,
     * as on Tomcat (TomEE), where it is always 1. Default 32.
     */
    public static final String SEND_BATCH = "lhttp.send-batch";

    public static final int DEFAULT_SEND_BATCH = 32;
    /** What happens to a connection whose send queue is full: {@code close} (1008) or {@code drop} (oldest, counted). Default close. */
    public static final String SLOW_CONSUMER = "lhttp.slow-consumer";

    public static final String DEFAULT_SLOW_CONSUMER = "close";
    /** A send not completed within this many milliseconds closes the connection. Default 30000. */
    public static final String SEND_TIMEOUT_MS = "lhttp.send-timeout-ms";

    public static final long DEFAULT_SEND_TIMEOUT_MS = 30_000;
    /** Whether bad frames are answered with an error frame (true) or silently dropped like the original (false). */
    public static final String ERRORS_REPLY = "lhttp.errors.reply";
    /** Bearer token required by {@code POST /publish}; empty = open. */
    public static final String PUBLISH_TOKEN = "lhttp.publish.token";
    /** Comma-separated NATS server URLs; empty = the in-process bus (one instance). */
    public static final String NATS_URL = "lhttp.nats.url";
    /** Prefix of the NATS subject a channel maps to. Default {@code lhttp.}. */
    public static final String NATS_SUBJECT_PREFIX = "lhttp.nats.subject-prefix";

    public static final String DEFAULT_NATS_SUBJECT_PREFIX = "lhttp.";
    /**
     * Milliseconds between the NATS client's pings; after 2 unanswered the server counts as gone
     * and the client moves to another one. Catches a node that hangs without closing its sockets
     * (jnats's own default is 2 minutes). Default 5000.
     */
    public static final String NATS_PING_INTERVAL_MS = "lhttp.nats.ping-interval-ms";

    public static final int DEFAULT_NATS_PING_INTERVAL_MS = 5000;
    /**
     * This instance's name, used as the NATS connection name (visible in nats-server's
     * {@code /connz}). Default {@code lhttp@<host>/<pid>}.
     */
    public static final String INSTANCE_NAME = "lhttp.instance-name";

    /** Most parts (offsets) in one {@code multipart} message; more get 413. Default 64. */
    public static final String MAX_PARTS = "lhttp.max-parts";
    /**
     * Comma-separated URL prefixes an {@code upstream} header may call, e.g.
     * {@code http://backend:8080/api/}; empty (the default) = upstream off, every call gets 403.
     */
    public static final String UPSTREAM_ALLOW = "lhttp.upstream.allow";
    /** Milliseconds an upstream call may take, connecting and reading included; slower gets 504. Default 5000. */
    public static final String UPSTREAM_TIMEOUT = "lhttp.upstream.timeout";

    public static final int DEFAULT_UPSTREAM_TIMEOUT_MS = 5000;
    /** Upstream calls one connection may have running at once; more get 429. Default 16. */
    public static final String UPSTREAM_MAX_IN_FLIGHT = "lhttp.upstream.max-in-flight";

    public static final int DEFAULT_UPSTREAM_MAX_IN_FLIGHT = 16;
    /** Upstream calls running at once on this instance, all connections together; one more gets 429. Default 1024. */
    public static final String UPSTREAM_MAX_IN_FLIGHT_TOTAL = "lhttp.upstream.max-in-flight-total";

    public static final int DEFAULT_UPSTREAM_MAX_IN_FLIGHT_TOTAL = 1024;
    /** Largest upstream response body read, in bytes; larger gets 502. Default 65536. */
    public static final String UPSTREAM_MAX_RESPONSE_BYTES = "lhttp.upstream.max-response-bytes";

    public static final int DEFAULT_UPSTREAM_MAX_RESPONSE_BYTES = 65536;

    // --- Connection security (issue 13, docs/SECURITY.md) ---

    /**
     * Whether connections must authenticate with a signed token (docs/SECURITY.md): from the
     * handshake (query parameter {@code token} or the {@link #AUTH_COOKIE} cookie) or an
     * {@code auth} header on the first frame; channels are then limited to the token's claims.
     * Needs exactly one of {@link #AUTH_HMAC_SECRET}, {@link #AUTH_PUBLIC_KEY_FILE},
     * {@link #AUTH_JWKS}. Default false (as the original: anyone may connect).
     */
    public static final String AUTH = "lhttp.auth";
    /** Shared secret (UTF-8, at least 32 bytes) for HS256/384/512 tokens; empty = not this key source. */
    public static final String AUTH_HMAC_SECRET = "lhttp.auth.hmac-secret";
    /** PEM file with the RSA or EC public key (or certificate) for RS/PS/ES tokens; empty = not this key source. */
    public static final String AUTH_PUBLIC_KEY_FILE = "lhttp.auth.public-key-file";
    /** JWKS of public keys: a file path or an http(s) URL (fetched when first needed, cached); empty = not this key source. */
    public static final String AUTH_JWKS = "lhttp.auth.jwks";
    /** Seconds a token's {@code exp} and {@code nbf} may be off from this server's clock. Default 30. */
    public static final String AUTH_CLOCK_SKEW_SECONDS = "lhttp.auth.clock-skew-seconds";

    public static final int DEFAULT_AUTH_CLOCK_SKEW_SECONDS = 30;
    /** The {@code iss} a token must carry; empty (default) = any. */
    public static final String AUTH_ISSUER = "lhttp.auth.issuer";
    /** An {@code aud} a token must carry; empty (default) = any. */
    public static final String AUTH_AUDIENCE = "lhttp.auth.audience";
    /** Longest token looked at, in characters; longer ones are refused unparsed. Default 8192. */
    public static final String AUTH_MAX_TOKEN_CHARS = "lhttp.auth.max-token-chars";

    public static final int DEFAULT_AUTH_MAX_TOKEN_CHARS = 8192;
    /** Name of the cookie a browser's token may come in at the handshake. Default {@code lhttp-token}. */
    public static final String AUTH_COOKIE = "lhttp.auth.cookie";

    public static final String DEFAULT_AUTH_COOKIE = "lhttp-token";
    /**
     * Comma-separated header keys removed from every message published by a client (ignoring
     * case), so that credentials a client sends for a filter never reach the channel's
     * subscribers. {@code none} = publish whole, as the original (an empty value counts as unset in
     * MicroProfile Config). Default {@code auth,authorization,cookie,token}.
     */
    public static final String PUBLISH_STRIP_HEADERS = "lhttp.publish.strip-headers";

    public static final String DEFAULT_PUBLISH_STRIP_HEADERS = "auth,authorization,cookie,token";
    /**
     * Comma-separated client headers forwarded to upstream calls although they carry credentials
     * or address claims ({@code Authorization}, {@code Cookie}, {@code Forwarded},
     * {@code X-Forwarded-*}, {@code X-Real-IP}, …). Empty (default) = none of them.
     */
    public static final String UPSTREAM_FORWARD_HEADERS = "lhttp.upstream.forward-headers";

    /**
     * Web pages that may open a WebSocket here, checked at the handshake (403 otherwise):
     * empty (default) = the server's own origin (the {@code Origin}'s host and port are the
     * request's {@code Host}); {@code *} = any, as the original; or a comma-separated list of
     * {@code scheme://host[:port]} (and {@code null} for pages without an origin). Clients that
     * send no {@code Origin} (not browsers) are not affected.
     */
    public static final String ALLOWED_ORIGINS = "lhttp.allowed-origins";
    /**
     * Whether {@code POST /publish} without {@link #PUBLISH_TOKEN} accepts clients on other hosts.
     * Default false: without a token only loopback clients may publish (403 otherwise); with a
     * token, anyone holding it.
     */
    public static final String PUBLISH_ALLOW_REMOTE = "lhttp.publish.allow-remote-without-token";

    // --- Admission: per-address limits, HTTP publish bodies, shutdown (issue 14) ---

    /**
     * Connections one client address may hold at once; more are closed with 1013 (try again
     * later), like the instance-wide {@code lhttp.max-connections}. Keep it well below that, so
     * that one client cannot take every slot; clients behind one NAT share an address.
     * Default 256: on Payara each connection may hold up to ~1 MiB of an unfinished frame in Tyrus (docs/RELIABILITY.md).
     */
    public static final String MAX_CONNECTIONS_PER_ADDRESS = "lhttp.max-connections-per-address";

    public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
    /** Upstream calls the connections of one client address may have running at once; more get 429. Default 64. */
    public static final String UPSTREAM_MAX_IN_FLIGHT_PER_ADDRESS = "lhttp.upstream.max-in-flight-per-address";

    public static final int DEFAULT_UPSTREAM_MAX_IN_FLIGHT_PER_ADDRESS = 64;
    /**
     * Comma-separated IP addresses and CIDR blocks of reverse proxies whose
     * {@code X-Forwarded-For} is believed: for a WebSocket upgrade from one of them, the client
     * address is the rightmost entry that is not a trusted proxy. Empty (the default) = the
     * direct peer is the client; the header is ignored.
     */
    public static final String TRUSTED_PROXIES = "lhttp.trusted-proxies";
    /**
     * {@code POST /publish} bodies being read at once; one more is refused with 503 before its
     * body is read, so that slow bodies can hold at most this many of the server's HTTP worker
     * threads (Payara Micro has 200, shared with WebSocket handshakes and frames). Default 16.
     */
    public static final String PUBLISH_MAX_CONCURRENT = "lhttp.publish.max-concurrent";

    public static final int DEFAULT_PUBLISH_MAX_CONCURRENT = 16;
    /**
     * {@code POST /publish} bodies being read at once from one client address (after the
     * {@code lhttp.trusted-proxies} rule); one more gets 503, so that one client cannot take
     * every slot of {@code lhttp.publish.max-concurrent}. Default 4.
     */
    public static final String PUBLISH_MAX_CONCURRENT_PER_ADDRESS = "lhttp.publish.max-concurrent-per-address";

    public static final int DEFAULT_PUBLISH_MAX_CONCURRENT_PER_ADDRESS = 4;
    /**
     * Milliseconds a {@code POST /publish} body may take to arrive; a slower one is answered 408
     * and its connection closed. Checked as bytes arrive, so a body that stops sending is ended by
     * the container's own idle read timeout (about 30 s on Payara). Default 10000.
     */
    public static final String PUBLISH_READ_TIMEOUT_MS = "lhttp.publish.read-timeout-ms";

    public static final int DEFAULT_PUBLISH_READ_TIMEOUT_MS = 10_000;
    /**
     * On shutdown (SIGTERM), milliseconds to wait for frames already queued to reach their
     * clients before every connection is closed with 1001 (going away). New connections are
     * refused meanwhile. 0 = close at once. Default 5000.
     */
    public static final String SHUTDOWN_DRAIN_MS = "lhttp.shutdown-drain-ms";

    public static final int DEFAULT_SHUTDOWN_DRAIN_MS = 5000;
    // --- connection I/O budgets and deadlines (issues 9, 14) ---
    /**
     * Bytes all connections together may hold in frames that have started but not finished
     * arriving (kept by our code between the container's partial deliveries). A connection whose
     * part would pass it is closed with 1013 (try again later). Each connection holds at most
     * {@code lhttp.max-frame-hard-bytes} of it. Default 67108864 (64 MiB).
     */
    public static final String INBOUND_BUFFER_TOTAL_BYTES = "lhttp.inbound-buffer-total-bytes";

    public static final long DEFAULT_INBOUND_BUFFER_TOTAL_BYTES = 64L << 20;
    /**
     * Milliseconds a frame may take from its first part to its last; slower closes the
     * connection with 1008. Default 15000.
     */
    public static final String FRAME_TIMEOUT_MS = "lhttp.frame-timeout-ms";

    public static final long DEFAULT_FRAME_TIMEOUT_MS = 15_000;
    /**
     * Bytes (frame lengths in chars, i.e. bytes for Latin-1 text) queued for one connection
     * before the slow-consumer policy applies, besides the {@code lhttp.send-queue} frame bound;
     * a single frame larger than this is still sent when the queue is empty. Default 1048576 (1 MiB).
     */
    public static final String SEND_QUEUE_BYTES = "lhttp.send-queue-bytes";

    public static final int DEFAULT_SEND_QUEUE_BYTES = 1 << 20;
    /**
     * Most chars (bytes for ASCII text) in one batch frame sent to a client that negotiated the
     * {@code lhttp-batch.1} subprotocol (PROTOCOL.md §7): frames queued together for it are packed
     * up to this bound; a larger frame goes out alone. 0 = never pack (every message its own
     * frame, even for such clients). Default 65536.
     */
    public static final String BATCH_BYTES = "lhttp.batch-bytes";

    public static final int DEFAULT_BATCH_BYTES = 65_536;
    /**
     * On containers that acknowledge every frame before the next is sent (Tomcat/TomEE): bytes a
     * connection's send queue may reach during a burst its client keeps reading (a send
     * acknowledged within {@code lhttp.send-stall-ms}), beyond {@code lhttp.send-queue-bytes}; the
     * frame bound stretches by the same factor. Past it, or once the client stops reading, the
     * slow-consumer policy applies. Default 8388608 (8 MiB).
     */
    public static final String SEND_QUEUE_BURST_BYTES = "lhttp.send-queue-burst-bytes";

    public static final int DEFAULT_SEND_QUEUE_BURST_BYTES = 8 << 20;
    /**
     * Milliseconds without an acknowledged send after which a connection over its send-queue
     * bounds counts as not reading, and the slow-consumer policy applies. Default 2000.
     */
    public static final String SEND_STALL_MS = "lhttp.send-stall-ms";

    public static final long DEFAULT_SEND_STALL_MS = 2000;
    /** Milliseconds without anything received after which the server pings a connection. 0 = no pings. Default 30000. */
    public static final String PING_INTERVAL_MS = "lhttp.ping-interval-ms";

    public static final long DEFAULT_PING_INTERVAL_MS = 30_000;
    /**
     * Milliseconds without anything received from a connection (no frame, no pong) after which
     * it is closed with 1001. 0 = never. Default 90000 (three unanswered pings).
     */
    public static final String IDLE_TIMEOUT_MS = "lhttp.idle-timeout-ms";

    public static final long DEFAULT_IDLE_TIMEOUT_MS = 90_000;

    // --- The JS SDK's static files (issue 10) ---
    /**
     * Origins whose pages may load the JS SDK files ({@code /lhttp.js}, {@code /lhttp-compat.js},
     * {@code /lhttp.d.ts}) across origins, e.g. as {@code <script type="module">} from another site:
     * {@code *} (any; they are public code), a space-separated list of origins
     * ({@code https://app.example.com https://admin.example.com}), or empty for no CORS headers. For
     * these static files only: it opens neither the WebSocket nor {@code POST /publish}. Default {@code *}.
     */
    public static final String SDK_CORS_ORIGINS = "lhttp.sdk.cors-origins";

    public static final String DEFAULT_SDK_CORS_ORIGINS = "*";
    // Operations (io.lhttp.metrics: metrics, status page).
    /**
     * Whether lhttp counts what it does and serves it at {@code GET /lhttp/metrics} (Prometheus
     * text) and {@code GET /publish/status} = {@code GET /lhttp/status} (JSON for {@code /status.html}). Off: the hooks on the
     * message path do nothing and both answer 404. Default true.
     */
    public static final String METRICS_ENABLED = "lhttp.metrics.enabled";

    public static final boolean DEFAULT_METRICS_ENABLED = true;
    /**
     * Whether {@code /lhttp/metrics}, the status JSON and (where it is served inside the WAR) {@code /openapi} answer clients on other hosts when
     * {@code lhttp.publish.token} is not set. With the token set they ask every client for it
     * ({@code Authorization: Bearer}); without it, by default only clients on this host get an
     * answer (403 otherwise), as for {@code /publish}. Default false.
     */
    public static final String STATUS_ALLOW_REMOTE = "lhttp.status.allow-remote-without-token";

    public static final boolean DEFAULT_STATUS_ALLOW_REMOTE = false;
    // --- channel history (PROTOCOL.md §2.2) ---
    /** Channels that keep history: comma-separated exact names and {@code prefix*} patterns. Default none. */
    public static final String HISTORY_CHANNELS = "lhttp.history.channels";
    /** Messages kept per history channel. Default 100. */
    public static final String HISTORY_SIZE = "lhttp.history.size";

    public static final int DEFAULT_HISTORY_SIZE = 100;
    /** How long a history message is kept, ms; 0 = until newer ones push it out. Default 300000 (5 min). */
    public static final String HISTORY_TTL_MS = "lhttp.history.ttl-ms";

    public static final int DEFAULT_HISTORY_TTL_MS = 300_000;
    /**
     * Channels with history kept at once (clients choose channel names, so the set is bounded);
     * beyond it the least recently published-to channel's history is forgotten. Default 10000.
     */
    public static final String HISTORY_MAX_CHANNELS = "lhttp.history.max-channels";

    public static final int DEFAULT_HISTORY_MAX_CHANNELS = 10_000;
    /**
     * Bytes one history channel keeps in memory (frame lengths in chars plus 64 per message); the
     * oldest messages are dropped first, and a subscriber whose position fell out is answered
     * {@code recovered:false}. Default 1048576 (1 MiB).
     */
    public static final String HISTORY_CHANNEL_MAX_BYTES = "lhttp.history.channel-max-bytes";

    public static final long DEFAULT_HISTORY_CHANNEL_MAX_BYTES = 1L << 20;
    /**
     * Bytes all history channels together keep in memory, counted in the memory budget too; a
     * channel whose new message would pass it drops its own oldest first, and keeps nothing when
     * that is not enough. With NATS, also the JetStream stream's {@code max_bytes} (oldest
     * dropped). Default 67108864 (64 MiB).
     */
    public static final String HISTORY_MAX_BYTES = "lhttp.history.max-bytes";

    public static final long DEFAULT_HISTORY_MAX_BYTES = 64L << 20;
    // --- the memory budget (issue 18) ---
    /**
     * Bytes everything a client can make the server hold may take together: unfinished inbound
     * frames, send queues, history, upstream bodies, publishes waiting for JetStream
     * (io.lhttp.memory.MemoryBudget). Near full, new work is refused (1013 / 503); over it, the
     * largest holders are cut first. 0 = {@value io.lhttp.memory.MemoryBudget#DEFAULT_HEAP_PERCENT} %
     * of the heap ({@code -Xmx}). Default 0.
     */
    public static final String MEMORY_BUDGET_BYTES = "lhttp.memory.budget-bytes";

    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 0;

    // --- channel history on the NATS bus: JetStream (PROTOCOL.md §2.2, docs/CLUSTER.md) ---
    /**
     * With NATS: the JetStream stream that keeps the history channels' messages; created (or its
     * limits updated) at start by every instance. Default {@code LHTTP}.
     */
    public static final String JETSTREAM_STREAM = "lhttp.jetstream.stream";

    public static final String DEFAULT_JETSTREAM_STREAM = "LHTTP";
    /**
     * With NATS: the subject prefix history channels are published to and stored under; the stream
     * republishes each stored message to {@code lhttp.nats.subject-prefix + channel} with its
     * sequence. Must end with {@code .}; neither it nor {@code lhttp.nats.subject-prefix} may start
     * with the other (so no plain channel's subject falls into the stream). Default {@code lhttp-history.}.
     */
    public static final String JETSTREAM_SUBJECT_PREFIX = "lhttp.jetstream.subject-prefix";

    public static final String DEFAULT_JETSTREAM_SUBJECT_PREFIX = "lhttp-history.";
    /** With NATS: the stream's storage, {@code file} (survives a nats-server restart) or {@code memory}. Default {@code file}. */
    public static final String JETSTREAM_STORAGE = "lhttp.jetstream.storage";

    public static final String DEFAULT_JETSTREAM_STORAGE = "file";
    /** With NATS: the stream's replicas (up to 5, at most the JetStream servers of the cluster). Default 1. */
    public static final String JETSTREAM_REPLICAS = "lhttp.jetstream.replicas";

    public static final int DEFAULT_JETSTREAM_REPLICAS = 1;
    /**
     * With NATS and history channels: whether JetStream is required. When it is and the NATS
     * server has no JetStream, publishing to a history channel answers 503 and readiness is DOWN;
     * when not (default), history channels are carried as plain channels (no positions,
     * {@code recovered:false}) and a warning is logged. Default false.
     */
    public static final String JETSTREAM_REQUIRED = "lhttp.jetstream.required";

    public static final boolean DEFAULT_JETSTREAM_REQUIRED = false;
    /**
     * With NATS: ms a publish to a history channel waits for the stream's acknowledgement (then 503)
     * and each history request of a recovery waits for its answer. Default 2000.
     */
    public static final String JETSTREAM_TIMEOUT_MS = "lhttp.jetstream.timeout-ms";

    public static final int DEFAULT_JETSTREAM_TIMEOUT_MS = 2000;
    /**
     * With NATS: recoveries ({@code since}) replaying from JetStream at once on this instance; one
     * more waits up to {@code lhttp.jetstream.timeout-ms}, then answers {@code recovered:false}.
     * (Each replays at most {@code lhttp.history.size} messages; a connection runs one at a time.) Default 16.
     */
    public static final String HISTORY_MAX_REPLAYS = "lhttp.history.max-replays";

    public static final int DEFAULT_HISTORY_MAX_REPLAYS = 16;

    // --- publishing to history channels over NATS without waiting for each acknowledgement ---
    /**
     * With NATS: publishes of one WebSocket connection to history channels sent to JetStream and
     * not yet acknowledged. A client's publishes go out without waiting for the stream (a failure
     * comes back later as the 503 error frame, with the frame's {@code request-id}); one more than
     * this waits for an acknowledgement, at most {@code lhttp.jetstream.timeout-ms}, then answers
     * 503. Bounds the memory a fast publisher holds in unacknowledged messages. Default 256.
     */
    public static final String JETSTREAM_MAX_PENDING_PER_CONNECTION = "lhttp.jetstream.max-pending-per-connection";

    public static final int DEFAULT_JETSTREAM_MAX_PENDING_PER_CONNECTION = 256;

    // --- idempotent publishes (PROTOCOL.md §2.5) ---
    /**
     * How long a publish's {@code idempotency-key} is remembered, ms: a publish with the same key to
     * the same channel within it is not delivered again. With NATS, also the JetStream stream's
     * duplicate window (history channels; at most {@code lhttp.history.ttl-ms} when that is set).
     * Default 120000 (2 min, JetStream's own default).
     */
    public static final String IDEMPOTENCY_WINDOW_MS = "lhttp.idempotency.window-ms";

    public static final int DEFAULT_IDEMPOTENCY_WINDOW_MS = 120_000;
    /**
     * Idempotency keys one instance remembers at once for the channels it deduplicates in memory (all
     * on the in-process bus, plain channels on NATS); beyond it the oldest key is forgotten early.
     * About 0.6 KiB each at most. Default 10000.
     */
    public static final String IDEMPOTENCY_MAX_KEYS = "lhttp.idempotency.max-keys";

    public static final int DEFAULT_IDEMPOTENCY_MAX_KEYS = 10_000;

    // --- presence (PROTOCOL.md §2.3) ---
    /** Most members one {@code presence} answer lists (then {@code truncated:true}). Default 1000. */
    public static final String PRESENCE_MAX_ENTRIES = "lhttp.presence.max-entries";

    public static final int DEFAULT_PRESENCE_MAX_ENTRIES = 1000;
    /** With NATS: how long a {@code presence} request gathers the other instances' answers, ms. Default 300. */
    public static final String PRESENCE_TIMEOUT_MS = "lhttp.presence.timeout-ms";

    public static final int DEFAULT_PRESENCE_TIMEOUT_MS = 300;
    /** Channels whose subscribers get {@code join}/{@code leave} frames: names and {@code prefix*}, comma-separated. Default none. */
    public static final String PRESENCE_NOTIFY = "lhttp.presence.notify";

    // --- connect and subscribe proxies (issue 23, docs/PROXY.md) ---
    /**
     * URL the server POSTs each WebSocket handshake without a token to, asking the backend
     * whether the connection may open (docs/PROXY.md); empty (the default) = off.
     */
    public static final String PROXY_CONNECT_URL = "lhttp.proxy.connect-url";
    /** URL the server POSTs each subscribe to channels of {@link #PROXY_SUBSCRIBE_CHANNELS} to; empty (the default) = off. */
    public static final String PROXY_SUBSCRIBE_URL = "lhttp.proxy.subscribe-url";
    /** Channels whose subscribes the subscribe proxy decides: names and {@code prefix*}, comma-separated. Default {@code *}. */
    public static final String PROXY_SUBSCRIBE_CHANNELS = "lhttp.proxy.subscribe-channels";

    public static final String DEFAULT_PROXY_SUBSCRIBE_CHANNELS = "*";
    /** Handshake headers sent to the connect proxy, comma-separated; others are not. */
    public static final String PROXY_CONNECT_HEADERS = "lhttp.proxy.connect-headers";

    public static final String DEFAULT_PROXY_CONNECT_HEADERS = "cookie,authorization,origin,user-agent";
    /** Milliseconds a proxy call may take in all (connect, headers, body); slower = refused. Default 5000 (as upstream). */
    public static final String PROXY_TIMEOUT = "lhttp.proxy.timeout";

    public static final int DEFAULT_PROXY_TIMEOUT_MS = DEFAULT_UPSTREAM_TIMEOUT_MS;
    /** Largest proxy answer read, in bytes; larger = refused. Default 16384. */
    public static final String PROXY_MAX_RESPONSE_BYTES = "lhttp.proxy.max-response-bytes";

    public static final int DEFAULT_PROXY_MAX_RESPONSE_BYTES = 16384;
    /** Proxy calls running at once on this instance (connect and subscribe together); one more = refused. Default 64. */
    public static final String PROXY_MAX_IN_FLIGHT = "lhttp.proxy.max-in-flight";

    public static final int DEFAULT_PROXY_MAX_IN_FLIGHT = 64;

    // --- connection info in presence (issue 23, docs/PROTOCOL.md "Connection info") ---
    /** Largest public info of one connection, in UTF-8 bytes of its compact JSON; larger gets 413. Default 256. */
    public static final String PRESENCE_INFO_MAX_BYTES = "lhttp.presence.info-max-bytes";

    public static final int DEFAULT_PRESENCE_INFO_MAX_BYTES = 256;
    /** Whether a client may set its own public info ({@code conn-info}); {@code false}: only a token or the connect proxy. Default true. */
    public static final String PRESENCE_CLIENT_INFO = "lhttp.presence.client-info";

    /**
     * Threads that write SSE streams' events (io.lhttp.sse, PROTOCOL.md "Server-Sent Events"): the
     * JAX-RS implementations write an event with a blocking socket write, so a stream whose client
     * stops reading holds one of them until its write fails or the client reads again.
     */
    public static final String SSE_WRITER_THREADS = "lhttp.sse.writer-threads";

    public static final int DEFAULT_SSE_WRITER_THREADS = 8;
}
