package io.lhttp.security;

import io.lhttp.config.LhttpConfig;
import io.lhttp.processor.ClientConnection;
import io.lhttp.processor.Closed;
import io.lhttp.processor.Opened;
import io.lhttp.protocol.ProtocolException;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.websocket.CloseReason;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Gives connections their {@link Grant} from a token, at the handshake, on the first frame or
 * as a refresh, and ends a connection whose token runs out unrefreshed: it gets error 401
 * {@code token expired} and is closed with 1008, so it stops receiving its channels too.
 */
@ApplicationScoped
public class Authenticator {

    private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());

    /** Connection attribute holding the pending expiry task. */
    private static final String EXPIRY = Authenticator.class.getName() + ".expiry";

    @Inject
    LhttpConfig config;

    @Inject
    SecurityConfig security;

    @Inject
    io.lhttp.presence.ConnInfo connInfo;

    @Resource(lookup = "java:comp/DefaultManagedThreadFactory")
    ManagedThreadFactory threadFactory;

    private final Clock clock = Clock.systemUTC();
    private ScheduledThreadPoolExecutor timer;

    @PostConstruct
    void start() {
        if (config.auth()) {
            timer = new ScheduledThreadPoolExecutor(1, threadFactory);
            timer.setRemoveOnCancelPolicy(true); // refreshed tokens cancel their old task: do not keep it queued
        }
    }

    @PreDestroy
    void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Whether connections must authenticate. */
    public boolean required() {
        return config.auth();
    }

    /**
     * Verifies a token without a connection (the handshake).
     *
     * @throws TokenException with a reason for the client
     */
    public Grant verify(String token) throws TokenException {
        return security.tokenVerifier().verify(token);
    }

    /**
     * Authenticates or re-authenticates {@code connection} with {@code token}. A refresh must be
     * for the same user: a connection cannot change who it is.
     *
     * @throws ProtocolException 401 when the token is not valid, 403 when it names another user
     */
    public void authenticate(ClientConnection connection, String token) throws ProtocolException {
        Grant grant;
        try {
            grant = verify(token);
        } catch (TokenException e) {
            throw new ProtocolException(401, e.getMessage());
        }
        grant(connection, grant);
    }

    /**
     * Gives {@code connection} a verified grant and schedules its end.
     *
     * @throws ProtocolException 403 when the connection is already another user's
     */
    public void grant(ClientConnection connection, Grant grant) throws ProtocolException {
        Grant old = Authentication.grant(connection);
        if (old != null && !old.user().equals(grant.user())) {
            throw new ProtocolException(403, "the token is for another user than this connection's");
        }
        Authentication.set(connection, grant);
        if (grant.info() != null) {
            connInfo.setByServer(connection, grant.info());
        }
        ScheduledFuture<?> previous =
                (ScheduledFuture<?>) connection.attributes().remove(EXPIRY);
        if (previous != null) {
            previous.cancel(false);
        }
        long delay = grant.expires().toEpochMilli() + config.authClockSkew().toMillis() - clock.millis();
        ScheduledFuture<?> task =
                timer.schedule(() -> expire(connection, grant), Math.max(0, delay), TimeUnit.MILLISECONDS);
        connection.attributes().put(EXPIRY, task);
    }

    private void expire(ClientConnection connection, Grant grant) {
        if (Authentication.grant(connection) != grant || !connection.isOpen()) {
            return; // refreshed meanwhile, or gone
        }
        LOG.fine(() -> "closing " + connection + " of " + grant.user() + ": token expired");
        connection.sendError(401, "token expired");
        connection.close(CloseReason.CloseCodes.VIOLATED_POLICY, "token expired");
    }

    /** A connection whose handshake carried a valid token starts authenticated: its expiry is scheduled. */
    void opened(@Observes @Opened ClientConnection connection) {
        Grant grant = Authentication.grant(connection);
        if (grant != null && timer != null) {
            try {
                grant(connection, grant);
            } catch (ProtocolException sameUserAlways) {
                // the grant is the connection's own: no other user to clash with
            }
        }
    }

    /** Forgets a closed connection's expiry task. */
    void closed(@Observes @Closed ClientConnection connection) {
        ScheduledFuture<?> task = (ScheduledFuture<?>) connection.attributes().remove(EXPIRY);
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Whether the connection holds an unexpired grant now. */
    public boolean authenticated(ClientConnection connection) {
        return Authentication.isValid(connection, Instant.now(clock));
    }
}
