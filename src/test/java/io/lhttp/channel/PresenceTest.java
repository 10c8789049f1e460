package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.ChannelRegistryTest.RecordingSubscriber;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Presence lists and join/leave frames on the real in-process bus. */
class PresenceTest {

    static final class Named extends RecordingSubscriber {
        private final String id;
        private final String user;

        Named(String id, String user) {
            this.id = id;
            this.user = user;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public String user() {
            return user;
        }
    }

    @Test
    void membersAreListedBoundedAndOneLineEach() throws Exception {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus();
        registry.subscribe(new Named("c1", null), List.of("room"), 10);
        registry.subscribeWithPositions(new Named("c2", "ann smith\r\nx:y"), List.of("room"), null, null, 10);
        registry.subscribe(new Named("c3", "bob"), List.of("other"), 10);
        assertEquals(List.of("c1", "c2 ann_smith__x:y"), registry.members("room", 10));
        assertEquals(List.of("c1"), registry.members("room", 1));
        Bus.PresenceList list =
                registry.bus.presence("room", 1, registry::members).get();
        assertEquals(List.of("c1"), list.members());
        assertTrue(list.truncated());
        assertFalse(registry.bus.presence("room", 2, registry::members).get().truncated());
        assertEquals(List.of(), registry.members("nobody", 10));
    }

    @Test
    void joinsAndLeavesAreToldOnlyOnNotifyChannels() throws Exception {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus();
        registry.notify = io.lhttp.protocol.ChannelPatterns.parse("room.*");
        Named watcher = new Named("w", null);
        registry.subscribe(watcher, List.of("room.1", "quiet"), 10);
        Named ann = new Named("a", "ann");
        registry.subscribe(ann, List.of("room.1", "quiet"), 10);
        registry.unsubscribe(ann, List.of("room.1"));
        registry.removeAll(ann);
        assertEquals(
                List.of(
                        "LHTTP/1.0 presence\r\nevent:join\r\nchannel:room.1\r\nmember:w\r\n\r\n",
                        "LHTTP/1.0 presence\r\nevent:join\r\nchannel:room.1\r\nmember:a ann\r\n\r\n",
                        "LHTTP/1.0 presence\r\nevent:leave\r\nchannel:room.1\r\nmember:a ann\r\n\r\n"),
                watcher.frames);
    }
}
