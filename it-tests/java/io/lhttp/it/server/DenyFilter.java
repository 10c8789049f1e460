package io.lhttp.it.server;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * A user's header filter, deployed only with the tests: refuses messages carrying {@code deny},
 * and stamps {@code filtered:yes} on the responses of {@code shout} after the processor ran.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.USER + 10)
public class DenyFilter {

    @AroundInvoke
    Object filter(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        if (ex.header("deny") != null) {
            ex.fail(403, "denied by the test filter");
            return null;
        }
        Object result = ctx.proceed();
        if (ex.command().equals("shout")) {
            ex.addHeader("filtered", "yes");
        }
        return result;
    }
}
