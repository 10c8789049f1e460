package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.protocol.Header;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The publish API over the real in-process bus, and over a bus that refuses (NATS down). */
class ChannelsTest {

    @Test
    void publishesEncodedOnceToEachChannel() {
        InProcessBus bus = new InProcessBus();
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        bus.subscribe("a", (java.util.function.Consumer<String>) a::add);
        bus.subscribe("b", (java.util.function.Consumer<String>) b::add);
        Channels channels = new Channels(bus);

        assertTrue(channels.publish(List.of("a", "b"), "notice", List.of(new Header("from", "server")), "hi"));
        assertEquals(List.of("LHTTP/1.0 notice\r\nfrom:server\r\n\r\nhi"), a);
        assertSame(a.get(0), b.get(0), "one encoding, the same text for every channel");

        assertTrue(channels.publish("a", Message.of("joined", "bob")));
        assertEquals("LHTTP/1.0 joined\r\n\r\nbob", a.get(1));
    }

    @Test
    void anInvalidChannelPublishesNothing() {
        InProcessBus bus = new InProcessBus();
        List<String> a = new ArrayList<>();
        bus.subscribe("a", (java.util.function.Consumer<String>) a::add);
        Channels channels = new Channels(bus);
        assertThrows(
                IllegalArgumentException.class, () -> channels.publish(List.of("a", "no spaces"), Message.of("x", "")));
        assertThrows(IllegalArgumentException.class, () -> channels.publish("a.*", Message.of("x", "")));
        assertEquals(List.of(), a);
    }

    @Test
    void aBusThatCannotTakeItNowIsFalseNotAnException() {
        Bus refusing = new Bus() {
            @Override
            public void publish(String channel, String frame) throws ProtocolException {
                throw new ProtocolException(503, "bus not connected");
            }

            @Override
            public Subscription subscribe(String channel, Consumer<String> deliver) {
                return () -> {};
            }

            @Override
            public String describe() {
                return "refusing";
            }
        };
        assertFalse(new Channels(refusing).publish("a", Message.of("x", "")));
    }
}
