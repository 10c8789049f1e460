package io.lhttp.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.Bus;
import io.lhttp.channel.ChannelRegistry;
import io.lhttp.channel.Channels;
import io.lhttp.channel.Dispatcher;
import io.lhttp.channel.InProcessBus;
import io.lhttp.channel.Permissions;
import io.lhttp.channel.PublishFilter;
import io.lhttp.channel.SubscribeFilter;
import io.lhttp.channel.Subscriber;
import io.lhttp.channel.UnsubscribeFilter;
import io.lhttp.config.LhttpConfig;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.ProtocolException;
import io.lhttp.security.TokenPermissions;
import io.smallrye.config.inject.ConfigProducer;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The header filters' order (PROTOCOL.md §2), in a real CDI container (Weld SE): the real
 * {@link Dispatcher} and the real subscribe/publish/unsubscribe interceptors, enabled by their
 * {@code @Priority} alone, around test processors and filters that record what they see.
 *
 * <p>The built-ins act through the channel registry and the bus; the test's registry records each
 * call and then does the real work on the real in-process bus for one recording subscriber, so
 * "subscribe:a + publish:a echoes" is observed, not assumed. The exchange has no connection (it
 * needs a WebSocket session), which is why the registry subscribes the recording subscriber in
 * its place. No multipart or upstream filter exists yet: probes at their priorities show where
 * such filters will run.
 */
class FilterOrderTest {

    private static WeldContainer container;

    @BeforeAll
    static void boot() {
        container = new Weld("filter-order-test")
                .disableDiscovery()
                .addBeanClasses(
                        Dispatcher.class,
                        SubscribeFilter.class,
                        PublishFilter.class,
                        Channels.class,
                        io.lhttp.channel.IdempotencyConfig.class,
                        UnsubscribeFilter.class,
                        LhttpConfig.class,
                        Recorder.class,
                        RecordingRegistry.class,
                        TestBus.class,
                        ChatProcessor.class,
                        UserFilter.class,
                        MultipartProbe.class,
                        UpstreamProbe.class,
                        ConfigProducer.class,
                        Permissions.class,
                        TokenPermissions.class)
                .initialize();
    }

    @AfterAll
    static void shutdown() {
        if (container != null) {
            container.shutdown();
        }
    }

    @AfterEach
    void reset() {
        RecordingRegistry registry = container.select(RecordingRegistry.class).get();
        registry.removeAll(registry.subscriber);
        assertEquals(0, registry.channelCount(), "nothing left subscribed");
        Recorder recorder = container.select(Recorder.class).get();
        recorder.log.clear();
        recorder.frames.clear();
    }

    private List<String> dispatch(String frame) throws ProtocolException {
        Exchange ex = new Exchange(null, new MessageParser(Limits.DEFAULTS).parse(frame));
        container.select(Dispatcher.class).get().dispatch(ex);
        return List.copyOf(container.select(Recorder.class).get().log);
    }

    private static final List<String> ORDER = List.of(
            "multipart-probe before",
            "user before",
            "processor chat",
            "user after",
            "registry subscribe [a]",
            "bus subscribe a",
            "bus publish a",
            "delivered LHTTP/1.0 chat",
            "registry unsubscribe [a]",
            "bus cancel a",
            "upstream-probe after",
            "multipart-probe after");

    @Test
    void builtInsRunInProtocolOrderAroundTheUserFilterAndTheProcessor() throws Exception {
        assertEquals(ORDER, dispatch("LHTTP/1.0 chat\r\nsubscribe:a\r\npublish:a\r\nunsubscribe:a\r\n\r\nhi"));
    }

    @Test
    void orderDoesNotDependOnTheOrderOfTheHeaderLines() throws Exception {
        assertEquals(ORDER, dispatch("LHTTP/1.0 chat\r\nunsubscribe:a\r\npublish:a\r\nsubscribe:a\r\n\r\nhi"));
        container.select(Recorder.class).get().log.clear();
        assertEquals(ORDER, dispatch("LHTTP/1.0 chat\r\npublish:a\r\nunsubscribe:a\r\nsubscribe:a\r\n\r\nhi"));
    }

    @Test
    void aCommandWithoutProcessorStillGoesThroughTheFilters() throws Exception {
        assertEquals(
                List.of(
                        "multipart-probe before",
                        "user before",
                        "user after",
                        "registry subscribe [b]",
                        "bus subscribe b",
                        "upstream-probe after",
                        "multipart-probe after"),
                dispatch("LHTTP/1.0 nobody\r\nsubscribe:b\r\n\r\n"));
    }

    @Test
    void publishDeliversTheResponseTheProcessorMade() throws Exception {
        dispatch("LHTTP/1.0 x\r\nsubscribe:r\r\n\r\n");
        Recorder recorder = container.select(Recorder.class).get();
        recorder.log.clear();
        dispatch("LHTTP/1.0 chat\r\npublish:r\r\n\r\nreply please");
        assertEquals(List.of("LHTTP/1.0 chat-reply\r\npublish:r\r\nby:processor\r\n\r\nreply please"), recorder.frames);
    }

    @Test
    void credentialHeadersAreNotPublished() throws Exception {
        dispatch("LHTTP/1.0 x\r\nsubscribe:s\r\n\r\n");
        Recorder recorder = container.select(Recorder.class).get();
        recorder.log.clear();
        // lhttp.publish.strip-headers defaults to auth,authorization,cookie,token (keys matched ignoring case and
        // spaces).
        dispatch("LHTTP/1.0 say\r\nAuth:secret\r\npublish:s\r\nx:1\r\n authorization :Bearer t\r\ncookie:c=1\r\n"
                + "token:t\r\n\r\nhi");
        assertEquals(List.of("LHTTP/1.0 say\r\npublish:s\r\nx:1\r\n\r\nhi"), recorder.frames);
        recorder.frames.clear();
        String plain = "LHTTP/1.0 say\r\npublish:s\r\nauthor:me\r\n\r\nhi";
        dispatch(plain);
        assertEquals(List.of(plain), recorder.frames, "a frame without such headers is published byte for byte");
    }

    @Test
    void prioritiesNestAsTheProtocolRequires() {
        assertTrue(HeaderFilter.AUTH < HeaderFilter.MULTIPART, "the token filter is outermost");
        // Lower priority = further out = later after the processor.
        assertTrue(HeaderFilter.MULTIPART < HeaderFilter.UPSTREAM);
        assertTrue(HeaderFilter.UPSTREAM < HeaderFilter.UNSUBSCRIBE);
        assertTrue(HeaderFilter.UNSUBSCRIBE < HeaderFilter.PUBLISH);
        assertTrue(HeaderFilter.PUBLISH < HeaderFilter.SUBSCRIBE);
        assertTrue(HeaderFilter.SUBSCRIBE < HeaderFilter.USER);
        assertEquals(
                HeaderFilter.SUBSCRIBE,
                SubscribeFilter.class.getAnnotation(Priority.class).value());
        assertEquals(
                HeaderFilter.PUBLISH,
                PublishFilter.class.getAnnotation(Priority.class).value());
        assertEquals(
                HeaderFilter.UNSUBSCRIBE,
                UnsubscribeFilter.class.getAnnotation(Priority.class).value());
    }

    // ---- test beans ---------------------------------------------------------------------------

    /** What happened, in order. A singleton, not a normal scope: no client proxy between the test and its fields. */
    @Singleton
    public static class Recorder {
        final List<String> log = new ArrayList<>();
        final List<String> frames = new ArrayList<>();
    }

    /** The real registry, logging each call and acting for one recording subscriber. */
    @Singleton
    public static class RecordingRegistry extends ChannelRegistry {

        @Inject
        Recorder recorder;

        final Subscriber subscriber = new Subscriber() {
            private final Set<String> channels = new HashSet<>();

            @Override
            public Set<String> channels() {
                return channels;
            }

            @Override
            public boolean sendFrame(String frame) {
                recorder.log.add("delivered " + frame.substring(0, frame.indexOf('\r')));
                recorder.frames.add(frame);
                return true;
            }
        };

        @Override
        public void subscribe(Subscriber connection, List<String> names, int maxChannels) throws ProtocolException {
            recorder.log.add("registry subscribe " + names);
            super.subscribe(subscriber, names, maxChannels);
        }

        @Override
        public void unsubscribe(Subscriber connection, List<String> names) {
            recorder.log.add("registry unsubscribe " + names);
            super.unsubscribe(subscriber, names);
        }
    }

    /** The real in-process bus, logging each call. */
    @ApplicationScoped
    public static class TestBus {

        @Inject
        Recorder recorder;

        @Produces
        @ApplicationScoped
        Bus bus() {
            InProcessBus real = new InProcessBus();
            return new Bus() {
                @Override
                public void publish(String channel, String frame) {
                    recorder.log.add("bus publish " + channel);
                    real.publish(channel, frame);
                }

                @Override
                public Subscription subscribe(String channel, Consumer<String> deliver) {
                    recorder.log.add("bus subscribe " + channel);
                    Subscription s = real.subscribe(channel, deliver);
                    return () -> {
                        recorder.log.add("bus cancel " + channel);
                        s.cancel();
                    };
                }

                @Override
                public String describe() {
                    return "recording " + real.describe();
                }
            };
        }
    }

    /** A processor of {@code chat}; answers "reply please" with a changed response. */
    @ApplicationScoped
    public static class ChatProcessor {

        @Inject
        Recorder recorder;

        void on(@Observes @Command("chat") Exchange ex) {
            recorder.log.add("processor " + ex.command());
            if (ex.body().equals("reply please")) {
                ex.responseCommand("chat-reply").addHeader("by", "processor");
            }
        }
    }

    /** A user's header filter, as the README tells users to write one. */
    @HeaderFilter
    @Interceptor
    @Priority(HeaderFilter.USER)
    public static class UserFilter {

        @Inject
        Recorder recorder;

        @AroundInvoke
        Object around(InvocationContext ctx) throws Exception {
            recorder.log.add("user before");
            Object result = ctx.proceed();
            recorder.log.add("user after");
            return result;
        }
    }

    /** Marks where a filter at {@link HeaderFilter#MULTIPART} runs: outermost. */
    @HeaderFilter
    @Interceptor
    @Priority(HeaderFilter.MULTIPART)
    public static class MultipartProbe {

        @Inject
        Recorder recorder;

        @AroundInvoke
        Object around(InvocationContext ctx) throws Exception {
            recorder.log.add("multipart-probe before");
            Object result = ctx.proceed();
            recorder.log.add("multipart-probe after");
            return result;
        }
    }

    /** Marks where a filter at {@link HeaderFilter#UPSTREAM} does its after-work: after unsubscribe. */
    @HeaderFilter
    @Interceptor
    @Priority(HeaderFilter.UPSTREAM)
    public static class UpstreamProbe {

        @Inject
        Recorder recorder;

        @AroundInvoke
        Object around(InvocationContext ctx) throws Exception {
            Object result = ctx.proceed();
            recorder.log.add("upstream-probe after");
            return result;
        }
    }
}
