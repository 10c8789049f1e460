package io.lhttp.publish;

import io.lhttp.channel.Channels;
import io.lhttp.channel.Dispatcher;
import io.lhttp.processor.Exchange;
import io.lhttp.protocol.ChannelNames;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What {@code POST /publish} does with a posted message once it is read and parsed: it runs
 * through the same header filters as a WebSocket message, in a connection-less
 * {@link Exchange#fromHttp exchange}, so that a moderation or permission filter cannot be
 * bypassed over HTTP. In order: the built-in multipart filter and the users' {@code @HeaderFilter}s
 * (outside in, by {@code @Priority}); then, if none refused it, the response is published to the
 * channels of the {@code publish} header: the posted text exactly as posted, unless a filter
 * changed the response. Processors and the built-in subscribe, publish, unsubscribe and upstream
 * filters do not act on it (no client connection to answer, subscribe or reply to; publishing is
 * done here so that an unchanged message goes out byte for byte as posted). A filter's
 * {@link Exchange#fail refusal} becomes the HTTP status of the answer.
 *
 * <p>Internal: {@link PublishResource} is its only caller.
 */
@ApplicationScoped
public class HttpPublish {

    private static final Logger LOG = Logger.getLogger(HttpPublish.class.getName());

    @Inject
    Dispatcher dispatcher;

    @Inject
    Channels channels;

    /**
     * Runs the header filters and publishes.
     *
     * @param message the parsed message, with a {@code publish} header
     * @param posted  the text as posted: what subscribers get when no filter changed the response
     * @throws ProtocolException with the code and reason a filter refused the message with (503
     *                           when the bus could not take it), 500 when a filter threw
     */
    public void publish(Message message, String posted) throws ProtocolException {
        publish(message, posted, null);
    }

    /**
     * As {@link #publish(Message, String)}, idempotent with {@code idempotencyKey} (PROTOCOL.md §2.5).
     *
     * @return false when the key made it a duplicate on every channel (nothing delivered)
     */
    public boolean publish(Message message, String posted, String idempotencyKey) throws ProtocolException {
        Exchange ex = Exchange.fromHttp(message);
        try {
            dispatcher.dispatch(ex);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a header filter failed on a POST /publish message", e);
            throw new ProtocolException(500, "header filter failed");
        }
        if (ex.failed()) {
            throw new ProtocolException(ex.errorCode(), ex.errorReason());
        }
        Message response = ex.response();
        // the one publish path: 403 for a reserved command, 503 when the bus cannot take it now
        return channels.publish(
                null,
                true,
                ChannelNames.parseList(message.header("publish")),
                response,
                () -> response == message ? posted : response.frame(), // encoded once
                null,
                idempotencyKey);
    }
}
