package io.lhttp.security;

import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;

/**
 * With {@code lhttp.auth=true}, the outermost header filter: a frame with an {@code auth:<token>}
 * header authenticates the connection (first frame) or refreshes its token (later frames, same
 * user) and then goes on as usual; any frame of a connection without a valid token is refused
 * with error 401 and nothing of it happens. With authentication off it does nothing, and an
 * {@code auth} header is the application's (the README's own filter example uses it).
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.AUTH)
public class TokenFilter {

    /** The header carrying a token on a frame. */
    public static final String HEADER = "auth";

    @Inject
    Authenticator authenticator;

    @AroundInvoke
    Object check(InvocationContext ctx) throws Exception {
        if (!authenticator.required()) {
            return ctx.proceed();
        }
        Exchange ex = (Exchange) ctx.getParameters()[0];
        String token = ex.header(HEADER);
        if (token != null) {
            try {
                authenticator.authenticate(ex.connection(), token);
            } catch (ProtocolException e) {
                ex.fail(e.code(), e.reason());
                return null;
            }
            // Whatever lhttp.publish.strip-headers says, a token is never published.
            ex.removeHeader(HEADER);
        } else if (!authenticator.authenticated(ex.connection())) {
            ex.fail(401, Authentication.grant(ex.connection()) == null ? "authentication required: send a token"
                    : "token expired");
            return null;
        }
        return ctx.proceed();
    }
}
