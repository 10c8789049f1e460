package io.lhttp.channel;

import io.lhttp.processor.Command;
import io.lhttp.processor.Exchange;
import io.lhttp.processor.HeaderFilter;
import io.lhttp.protocol.RequestId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.inject.Any;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Hands each message to the processors of its command, as a CDI event qualified
 * {@code @Command("<command>")}. Header filters intercept {@link #dispatch}, so they run for
 * every message, including those whose command has no processor. A message posted over HTTP
 * ({@link Exchange#isHttp()}) runs the header filters only: processors answer a client, and an
 * HTTP publish has none.
 *
 * <p>Internal: users never call it.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class.getName());

    /** Commands whose event selection is cached; clients choose commands, so the cache is bounded. */
    private static final int MAX_CACHED_COMMANDS = 1024;

    @Inject
    @Any
    Event<Exchange> events;

    private final Map<String, Event<Exchange>> byCommand = new ConcurrentHashMap<>();

    /** Runs the header filters and the processors of the message's command. */
    @HeaderFilter
    public void dispatch(Exchange exchange) {
        if (exchange.failed() || exchange.isHttp()) {
            return;
        }
        String id = exchange.header(RequestId.HEADER);
        if (id != null && !RequestId.isValid(id)) {
            exchange.fail(400, "bad request-id: 1 to " + RequestId.MAX_LENGTH + " characters of A-Z a-z 0-9 _ - . :");
            return;
        }
        try {
            eventFor(exchange.command()).fire(exchange);
        } catch (RuntimeException e) {
            // A broken processor must not take the connection down, nor skip the filters' after-work silently.
            LOG.log(Level.WARNING, "processor of command '" + exchange.command() + "' failed", e);
            exchange.fail(500, "processor failed");
        }
    }

    private Event<Exchange> eventFor(String command) {
        Event<Exchange> event = byCommand.get(command);
        if (event == null) {
            event = events.select(new Command.Literal(command));
            if (byCommand.size() < MAX_CACHED_COMMANDS) {
                byCommand.putIfAbsent(command, event);
            }
        }
        return event;
    }
}
