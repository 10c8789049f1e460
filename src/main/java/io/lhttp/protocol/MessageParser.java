package io.lhttp.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses LHTTP/1.0 frames (PROTOCOL.md §1), enforcing the frame size and header count limits.
 * Stateless and thread-safe.
 */
public final class MessageParser {

    private final Limits limits;

    public MessageParser(Limits limits) {
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Parses one text frame.
     *
     * @throws ProtocolException 413 when the frame is over the size limit (in UTF-8 bytes) or has
     *                           too many header lines, 400 when it is not an LHTTP frame
     */
    public Message parse(String frame) throws ProtocolException {
        if (Utf8.exceeds(frame, limits.maxFrameBytes())) {
            throw new ProtocolException(413, "frame larger than " + limits.maxFrameBytes() + " bytes");
        }
        return parseWithinLimit(frame);
    }

    /**
     * Parses one binary frame: its bytes must be UTF-8 text, then it is read like a text frame.
     *
     * @throws ProtocolException as {@link #parse(String)}, and 400 for bytes that are not UTF-8
     */
    public Message parse(ByteBuffer frame) throws ProtocolException {
        if (frame.remaining() > limits.maxFrameBytes()) {
            throw new ProtocolException(413, "frame larger than " + limits.maxFrameBytes() + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(frame.duplicate())
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(400, "binary frame is not UTF-8 text");
        }
        return parseWithinLimit(text);
    }

    private Message parseWithinLimit(String frame) throws ProtocolException {
        if (frame.isEmpty()) {
            throw new ProtocolException(400, "empty frame");
        }
        if (!frame.startsWith(MessageWriter.START)) {
            throw new ProtocolException(400, "frame does not start with 'LHTTP/1.0 <command>'");
        }
        int length = frame.length();
        int eol = frame.indexOf(MessageWriter.CRLF, MessageWriter.START.length());
        if (eol < 0) {
            throw new ProtocolException(400, "start line does not end with CRLF");
        }
        if (!Message.isCommand(frame, MessageWriter.START.length(), eol)) {
            throw new ProtocolException(400, "command must be a non-empty token without spaces or control characters");
        }
        String command = frame.substring(MessageWriter.START.length(), eol);

        List<Header> headers = null;
        int pos = eol + 2;
        while (pos < length) {
            if (frame.startsWith(MessageWriter.CRLF, pos)) {
                // The blank line: the rest is the body, and the client's text is our serialisation.
                return new Message(command, unmodifiable(headers), frame.substring(pos + 2), frame);
            }
            int end = frame.indexOf(MessageWriter.CRLF, pos);
            if (end < 0) {
                throw new ProtocolException(400, "header line does not end with CRLF");
            }
            int colon = frame.indexOf(':', pos);
            if (colon < 0 || colon > end) {
                throw new ProtocolException(400, "header line without ':'");
            }
            if (frame.substring(pos, colon).isBlank()) {
                throw new ProtocolException(400, "header line with an empty key");
            }
            if (headers == null) {
                headers = new ArrayList<>(4);
            }
            if (headers.size() >= limits.maxHeaders()) {
                throw new ProtocolException(413, "more than " + limits.maxHeaders() + " header lines");
            }
            headers.add(new Header(frame.substring(pos, colon), frame.substring(colon + 1, end)));
            pos = end + 2;
        }
        // No blank line: the message has no body. Its serialisation adds the blank line.
        return new Message(command, unmodifiable(headers), "", null);
    }

    private static List<Header> unmodifiable(List<Header> headers) {
        return headers == null ? List.of() : Collections.unmodifiableList(headers);
    }
}
