package io.lhttp.channel;

/**
 * Where a message stands in a channel's history (PROTOCOL.md §2.2): {@code <epoch>:<offset>}.
 * Offsets count from 1 within an epoch; the epoch changes whenever the history is lost (an
 * instance restart, a channel evicted), so offsets of different epochs are never compared.
 * Offset 0 means "before the first message".
 */
public record Position(String epoch, long offset) {

    /** Longest epoch token accepted from a client. */
    public static final int MAX_EPOCH_LENGTH = 32;

    public Position {
        if (!isEpoch(epoch) || offset < 0) {
            throw new IllegalArgumentException("bad position " + epoch + ":" + offset);
        }
    }

    /**
     * Parses {@code <epoch>:<offset>}: an epoch of 1-32 characters {@code A-Z a-z 0-9}, a decimal offset.
     *
     * @throws IllegalArgumentException when malformed
     */
    public static Position parse(String text) {
        int colon = text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || colon > MAX_EPOCH_LENGTH || text.length() - colon > 19) {
            throw new IllegalArgumentException("position must be <epoch>:<offset>, not '" + text + "'");
        }
        String offset = text.substring(colon + 1);
        for (int i = 0; i < offset.length(); i++) {
            if (offset.charAt(i) < '0' || offset.charAt(i) > '9') {
                throw new IllegalArgumentException("position must be <epoch>:<offset>, not '" + text + "'");
            }
        }
        return new Position(text.substring(0, colon), Long.parseLong(offset));
    }

    private static boolean isEpoch(String epoch) {
        if (epoch == null || epoch.isEmpty() || epoch.length() > MAX_EPOCH_LENGTH) {
            return false;
        }
        for (int i = 0; i < epoch.length(); i++) {
            char c = epoch.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return epoch + ":" + offset;
    }
}
