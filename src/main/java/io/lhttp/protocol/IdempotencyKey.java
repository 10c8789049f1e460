package io.lhttp.protocol;

/**
 * The {@code idempotency-key} of a publish (PROTOCOL.md §2.5): a client token that makes a retried
 * publish land once per channel within {@code lhttp.idempotency.window-ms}. 1 to
 * {@value #MAX_LENGTH} characters of {@code A-Z a-z 0-9 _ - . :}, as a {@code request-id}; anything
 * else is refused with 400, so a key can never carry a separator, a NATS header's CRLF or a payload.
 */
public final class IdempotencyKey {

    /** The LHTTP header's key (on a WebSocket publish, or inside a {@code POST /publish} body). */
    public static final String HEADER = "idempotency-key";
    /** The HTTP header of {@code POST /publish}. */
    public static final String HTTP_HEADER = "Idempotency-Key";
    /** Longest key accepted: a UUID (36) fits, with room for a prefix. */
    public static final int MAX_LENGTH = RequestId.MAX_LENGTH;
    /** The reason a bad key is refused with (error 400). */
    public static final String INVALID = "bad idempotency-key: 1-" + MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . :";

    private IdempotencyKey() {}

    /** Whether {@code key} is a valid idempotency key. */
    public static boolean isValid(String key) {
        return RequestId.isValid(key); // the same alphabet and length
    }

    /**
     * The key given, trimmed: null when {@code value} is null (no key).
     *
     * @throws ProtocolException 400 when a key is given and not valid
     */
    public static String check(String value) throws ProtocolException {
        if (value == null) {
            return null;
        }
        String key = value.trim();
        if (!isValid(key)) {
            throw new ProtocolException(400, INVALID);
        }
        return key;
    }

    /**
     * The message's {@code idempotency-key}, or null when it has none.
     *
     * @throws ProtocolException 400 when it has an invalid one
     */
    public static String of(Message message) throws ProtocolException {
        return check(message.header(HEADER));
    }

    /**
     * What the key is remembered as for one channel: keys act per channel (a retry of a publish to
     * two channels lands once on each). A space separates them: neither a key nor a channel name
     * may hold one, so two different pairs never give the same id.
     */
    public static String scoped(String channel, String key) {
        return channel + ' ' + key;
    }
}
