package io.lhttp.publish;

import io.lhttp.processor.Dispatcher;
import io.lhttp.processor.Exchange;
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
 * bypassed over HTTP. In order: the built-in multipart filter, the users' {@code @HeaderFilter}s
 * (outside in, by {@code @Priority}), then the built-in publish filter, which publishes the
 * response (the posted frame as is, unless a filter changed it). Processors, subscribe,
 * unsubscribe and upstream do not run: there is no client connection to answer or subscribe.
 * A filter's {@link Exchange#fail refusal} becomes the HTTP status of the answer.
 *
 * <p>Internal: {@link PublishResource} is its only caller.
 */
@ApplicationScoped
public class HttpPublish {

    private static final Logger LOG = Logger.getLogger(HttpPublish.class.getName());

    @Inject
    Dispatcher dispatcher;

    /**
     * Runs the header filters and publishes.
     *
     * @throws ProtocolException with the code and reason a filter refused the message with (503
     *                           when the bus could not take it), 500 when a filter threw
     */
    public void publish(Message message) throws ProtocolException {
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
    }
}
