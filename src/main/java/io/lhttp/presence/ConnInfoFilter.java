package io.lhttp.presence;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * {@code conn-info:<json>} on a frame (docs/PROTOCOL.md "Connection info"): sets the connection's
 * public info before anything else of the frame happens (so a {@code subscribe} on the same frame
 * joins with it), and is removed from the frame (never published). A bad value refuses the whole
 * frame (400, 403, 413). Right after the token filter.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.AUTH + 10)
public class ConnInfoFilter {

    @Inject
    ConnInfo info;

    @AroundInvoke
    Object set(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String value = ex.header(ConnInfo.HEADER);
        if (value == null || ex.isHttp()) {
            return ctx.proceed();
        }
        try {
            info.setByClient(ex.connection(), value.trim());
        } catch (ProtocolException e) {
            ex.fail(e.code(), e.reason());
            return null;
        }
        ex.removeHeader(ConnInfo.HEADER);
        return ctx.proceed();
    }
}
