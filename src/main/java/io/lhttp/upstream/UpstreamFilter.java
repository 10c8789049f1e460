package io.lhttp.upstream;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * {@code upstream:<METHOD> <url>} (PROTOCOL.md §2): the server calls the URL over HTTP after
 * the processor and after subscribe, publish and unsubscribe. With {@code upstream-reply:true}
 * the answer comes back to the sender as a frame (the request's command, header
 * {@code upstream-status:<code>}, the response body); otherwise only failures do (502, 504).
 *
 * <p>The header is checked before anything else happens: a message whose upstream call is
 * malformed (400), not allowed (403) or one too many (429) is refused whole, so the processor
 * does not run and nothing is published, and no request leaves the server.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.UPSTREAM)
public class UpstreamFilter {

    @Inject
    UpstreamClient upstream;

    @AroundInvoke
    Object call(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String value = ex.header("upstream");
        if (value == null || ex.failed() || ex.isHttp()) { // POST /publish: nobody to reply to
            return ctx.proceed();
        }
        UpstreamClient.Call call;
        try {
            call = upstream.prepare(
                    ex.connection(),
                    ex.command(),
                    value,
                    ex.headers(),
                    ex.body(),
                    "true".equalsIgnoreCase(ex.header("upstream-reply")),
                    ex.requestId());
        } catch (ProtocolException e) {
            ex.fail(e.code(), e.reason());
            return null;
        }
        boolean started = false;
        try {
            Object result = ctx.proceed();
            if (!ex.failed()) {
                started = true; // from here the call owns its slot, whatever start() meets
                call.start();
            }
            return result;
        } finally {
            if (!started) {
                call.abandon();
            }
        }
    }
}
