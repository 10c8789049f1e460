package io.lhttp.processor;

import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InterceptorBinding;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds an {@code @Interceptor} as a header filter: it runs around every message, whether or
 * not a processor handles its command. Its {@code @AroundInvoke} method gets the
 * {@link Exchange} as {@code ctx.getParameters()[0]}; code before {@code ctx.proceed()} runs
 * before the processor, code after it runs after; not calling {@code proceed()} (usually after
 * {@link Exchange#fail(int, String)}) stops the message.
 *
 * <p>Filters nest by {@code @Priority}: a lower priority is further out, so it runs earlier
 * before the processor and later after it. The built-in filters sit at the priorities below,
 * which give the order of PROTOCOL.md §2: multipart is parsed first; after the processor come
 * subscribe, then publish, then unsubscribe, then upstream. A user's filter at {@link #USER}
 * runs inside all of them: it sees the parsed parts, and when it refuses a message none of the
 * built-in actions happen.
 */
@InterceptorBinding
@Inherited
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface HeaderFilter {

    /** The token filter ({@code lhttp.auth}): outermost, so that nothing runs for an unauthenticated frame. */
    int AUTH = Interceptor.Priority.LIBRARY_BEFORE + 50;
    /** The {@code multipart} filter: parses parts before anything else. */
    int MULTIPART = Interceptor.Priority.LIBRARY_BEFORE + 100;
    /** The {@code upstream} filter: calls the backend after pub/sub is done. */
    int UPSTREAM = Interceptor.Priority.LIBRARY_BEFORE + 200;
    /** The {@code presence} filter: answers after the pub/sub actions, so it sees a subscribe in the same message. */
    int PRESENCE = Interceptor.Priority.LIBRARY_BEFORE + 250;
    /** The {@code unsubscribe} filter: the last pub/sub action. */
    int UNSUBSCRIBE = Interceptor.Priority.LIBRARY_BEFORE + 300;
    /** The {@code publish} filter: after subscribe, so subscribe and publish in one message echo. */
    int PUBLISH = Interceptor.Priority.LIBRARY_BEFORE + 310;
    /** The {@code subscribe} filter: the first pub/sub action after the processor. */
    int SUBSCRIBE = Interceptor.Priority.LIBRARY_BEFORE + 320;
    /** Where users' filters go ({@code USER + n}): inside the built-ins, around the processor. */
    int USER = Interceptor.Priority.APPLICATION;
}
