package io.lhttp.channel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The bus of a single instance: a publish goes straight to the channel's local fan-out, on the
 * publisher's thread, so one publisher's messages keep their order.
 */
public final class InProcessBus implements Bus {

    private final Map<String, Consumer<String>> channels = new ConcurrentHashMap<>();

    @Override
    public void publish(String channel, String frame) {
        Consumer<String> deliver = channels.get(channel);
        if (deliver != null) {
            deliver.accept(frame);
        }
    }

    @Override
    public Subscription subscribe(String channel, Consumer<String> deliver) {
        channels.put(channel, deliver);
        return () -> channels.remove(channel, deliver);
    }

    @Override
    public String describe() {
        return "in-process";
    }
}
