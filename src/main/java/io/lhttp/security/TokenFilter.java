package io.lhttp.security;

import io.lhttp.channel.ChannelRegistry;
import io.lhttp.channel.Permissions;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.util.List;
import java.util.Set;

/**
 * With {@code lhttp.auth=true}, the outermost header filter: a frame with an {@code auth:<token>}
 * header authenticates the connection (first frame) or refreshes its token (later frames, same
 * user) and then goes on as usual; any frame of a connection without a valid token is refused
 * with error 401 and nothing of it happens. With authentication off it does nothing, and an
 * {@code auth} header is the application's (the filter example in docs/YOUR-APP.md uses it).
 */
@HeaderFilter
@Interceptor
@Priority(HeaderFilter.AUTH)
public class TokenFilter {

    /** The header carrying a token on a frame. */
    public static final String HEADER = "auth";

    /** The header of the error frame naming the channels a refresh took away (PROTOCOL.md §5.1). */
    public static final String UNSUBSCRIBED = "unsubscribed";

    @Inject
    Authenticator authenticator;

    @Inject
    Permissions permissions;

    @Inject
    ChannelRegistry registry;

    @AroundInvoke
    Object check(InvocationContext ctx) throws Exception {
        Exchange ex = (Exchange) ctx.getParameters()[0];
        if (!authenticator.required() || ex.isHttp()) {
            // POST /publish has no connection to authenticate: lhttp.publish.token and PublishGuard guard it.
            return ctx.proceed();
        }
        String token = ex.header(HEADER);
        if (token != null) {
            boolean refresh = Authentication.grant(ex.connection()) != null;
            try {
                authenticator.authenticate(ex.connection(), token);
            } catch (ProtocolException e) {
                ex.fail(e.code(), e.reason());
                return null;
            }
            if (refresh) {
                revoke(ex.connection());
            }
            // Whatever lhttp.publish.strip-headers says, a token is never published.
            ex.removeHeader(HEADER);
        } else if (!authenticator.authenticated(ex.connection())) {
            ex.fail(
                    401,
                    Authentication.grant(ex.connection()) == null
                            ? "authentication required: send a token"
                            : "token expired");
            return null;
        }
        return ctx.proceed();
    }

    /**
     * After a refresh, the channels the new token no longer grants are unsubscribed, and the
     * client is told in one error frame (403, {@code unsubscribed:<channels>}), before the frame
     * that carried the token goes on; deliveries on them stop with it.
     */
    private void revoke(ClientConnection connection) {
        List<String> mine;
        Set<String> channels = connection.channels();
        synchronized (channels) {
            mine = List.copyOf(channels);
        }
        List<String> gone = permissions.notSubscribable(connection, mine);
        if (gone.isEmpty()) {
            return;
        }
        registry.unsubscribe(ChannelRegistry.subscriber(connection), gone);
        connection.send(Message.of(
                "error",
                List.of(
                        new Header("code", "403"),
                        new Header("reason", "the refreshed token does not grant these channels: unsubscribed"),
                        new Header(UNSUBSCRIBED, String.join(" ", gone))),
                ""));
    }
}
