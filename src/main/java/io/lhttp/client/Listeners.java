package io.lhttp.client;

import io.lhttp.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The listeners of one {@link LhttpClient}, one list per event. Events are emitted on the client's
 * WebSocket thread, one at a time; a listener that throws is logged and does not stop the others.
 */
final class Listeners {

    private static final Logger LOG = Logger.getLogger(LhttpClient.class.getName());

    final List<Consumer<Boolean>> open = new CopyOnWriteArrayList<>();
    final List<Consumer<Message>> message = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.Error>> error = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.Close>> close = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.Reconnecting>> reconnecting = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.State>> state = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.Subscribed>> subscribed = new CopyOnWriteArrayList<>();
    final List<Consumer<LhttpClient.Recovered>> recovered = new CopyOnWriteArrayList<>();

    /** Adds a listener; returns its remover. */
    static <T> Runnable add(List<Consumer<T>> listeners, Consumer<T> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    static <T> void emit(List<Consumer<T>> listeners, T detail) {
        for (Consumer<T> l : listeners) {
            try {
                l.accept(detail);
            } catch (RuntimeException e) {
                // One failing listener must not stop the others or the client itself.
                LOG.log(Level.WARNING, "lhttp client listener failed", e);
            }
        }
    }
}
