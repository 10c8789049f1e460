package io.lhttp.multipart;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * {@code multipart:<o1> <o2> …} (PROTOCOL.md §2): cuts the body into parts before anything else
 * runs, so the processor and users' filters see {@link Exchange#parts()}. Bad offsets or parts
 * answer 400 (too many parts 413) and stop the message: no processor, no publish, no upstream.
 * The message itself is unchanged, so a multipart message is published as sent.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.MULTIPART)
public class MultipartFilter {

    @Inject
    LhttpConfig config;

    @AroundInvoke
    Object parse(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String offsets = ex.header("multipart");
        if (offsets != null && !ex.failed()) {
            try {
                ex.parts(config.multipartParser().parse(offsets, ex.body()));
            } catch (ProtocolException e) {
                ex.fail(e.code(), e.reason());
                return null;
            }
        }
        return ctx.proceed();
    }
}
