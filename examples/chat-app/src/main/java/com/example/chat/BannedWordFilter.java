package com.example.chat;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import jakarta.annotation.Priority;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.util.Locale;

/**
 * Refuses every message whose body contains the banned word, with error 403: over the WebSocket
 * (the sender gets the error frame) and over {@code POST /publish} (the poster gets HTTP 403),
 * so that nothing containing it reaches a room either way. At {@link HeaderFilter#USER} it runs
 * before the processor and before the built-in publish.
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.USER)
public class BannedWordFilter {

    /** The word this example refuses; a real app would read a list from its configuration. */
    static final String BANNED = "badword";

    @AroundInvoke
    Object refuse(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        if (ex.body().toLowerCase(Locale.ROOT).contains(BANNED)) {
            ex.fail(403, "message refused: it contains a banned word");
            return null; // not proceeding: no processor, no publish
        }
        return ctx.proceed();
    }
}
