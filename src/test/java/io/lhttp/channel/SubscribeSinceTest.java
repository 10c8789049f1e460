package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.ChannelRegistryTest.RecordingSubscriber;
import io.lhttp.protocol.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code since} on a channel the connection already has: refused with 409, nothing replayed (PROTOCOL.md §2.2). */
class SubscribeSinceTest {

    @Test
    void sinceOnAChannelAlreadySubscribedIsRefusedAndNothingIsReplayed() throws ProtocolException {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus(new History("room", 10, 0, 10));
        RecordingSubscriber s = new RecordingSubscriber();
        assertDoesNotThrow(() -> SubscribeFilter.refuseSinceWhenSubscribed(s, "room"), "not subscribed yet");
        registry.subscribeWithPositions(s, List.of("room"), null, null, 10);
        registry.bus.publish("room", "LHTTP/1.0 chat\r\npublish:room\r\n\r\n1");
        int before = s.frames.size();

        ProtocolException refused =
                assertThrows(ProtocolException.class, () -> SubscribeFilter.refuseSinceWhenSubscribed(s, "room"));
        assertEquals(409, refused.code());
        assertTrue(refused.reason().startsWith("already subscribed to 'room'"), refused.reason());
        assertEquals(before, s.frames.size(), "no replay, no answer");
        assertDoesNotThrow(() -> SubscribeFilter.refuseSinceWhenSubscribed(s, "other"), "another channel is fine");

        registry.unsubscribe(s, List.of("room"));
        assertDoesNotThrow(
                () -> SubscribeFilter.refuseSinceWhenSubscribed(s, "room"), "after unsubscribe, since works again");
    }
}
