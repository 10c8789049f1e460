package io.lhttp.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.channel.ChannelRegistryTest.RecordingSubscriber;
import io.lhttp.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** History rings, positions, and the replay/live seam on the real in-process bus. */
class HistoryTest {

    private static String frame(int i) {
        return "LHTTP/1.0 chat\r\npublish:room\r\n\r\n" + i;
    }

    @Test
    void positionsParseAndRefuseJunk() {
        assertEquals(new Position("abc9", 42), Position.parse("abc9:42"));
        assertEquals("abc9:42", new Position("abc9", 42).toString());
        for (String bad : new String[] {
            "", ":1", "e:", "e", "e:-1", "e:1x", "e-x:1", "a:b:1", "x".repeat(33) + ":1", "e:99999999999999999999"
        }) {
            assertThrows(IllegalArgumentException.class, () -> Position.parse(bad), bad);
        }
    }

    @Test
    void ringKeepsTheNewestAndSaysWhenItNoLongerReachesBack() {
        HistoryRing ring = new HistoryRing("e1", 3, 0);
        for (int i = 1; i <= 5; i++) {
            assertEquals(new Position("e1", i), ring.append(frame(i), 0));
        }
        assertEquals(3, ring.kept());
        HistoryRing.Replay fromTwo = ring.since(new Position("e1", 2), 0);
        assertTrue(fromTwo.complete(), "offsets 3..5 are all kept");
        assertEquals(
                List.of(3L, 4L, 5L),
                fromTwo.entries().stream().map(HistoryRing.Entry::offset).toList());
        HistoryRing.Replay fromOne = ring.since(new Position("e1", 1), 0);
        assertFalse(fromOne.complete(), "offset 2 was pushed out");
        assertEquals(3, fromOne.entries().size());
        assertTrue(ring.since(new Position("e1", 5), 0).entries().isEmpty());
        assertTrue(ring.since(new Position("e1", 5), 0).complete());
        HistoryRing.Replay otherEpoch = ring.since(new Position("e0", 4), 0);
        assertFalse(otherEpoch.complete());
        assertEquals(3, otherEpoch.entries().size(), "another epoch: everything kept, marked incomplete");
        assertFalse(ring.since(new Position("e1", 9), 0).complete(), "ahead of the newest: not trusted");
    }

    @Test
    void ringForgetsMessagesOlderThanTheTtl() {
        HistoryRing ring = new HistoryRing("e", 10, 1000);
        ring.append(frame(1), 0);
        ring.append(frame(2), 600);
        HistoryRing.Replay later = ring.since(new Position("e", 0), 1500);
        assertEquals(
                List.of(2L),
                later.entries().stream().map(HistoryRing.Entry::offset).toList());
        assertFalse(later.complete());
        assertTrue(ring.since(new Position("e", 1), 1500).complete());
    }

    @Test
    void patternsAndTheBoundOnChannels() {
        History h = new History("news, room.*", 5, 0, 2);
        assertTrue(h.covers("news"));
        assertTrue(h.covers("room.1"));
        assertFalse(h.covers("news2"));
        assertNull(h.ring("other"));
        String epoch = h.ring("room.1").epoch();
        h.ring("room.2");
        h.ring("room.3"); // evicts room.1, the least recently used
        assertEquals(2, h.channels());
        assertNotEquals(epoch, h.ring("room.1").epoch(), "a forgotten history comes back with a new epoch");
    }

    @Test
    void positionHeaderIsInsertedAfterTheStartLineOnlyForThoseWhoAsked() throws ProtocolException {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus(new History("room", 10, 0, 10));
        RecordingSubscriber plain = new RecordingSubscriber();
        RecordingSubscriber positioned = new RecordingSubscriber();
        registry.subscribe(plain, List.of("room"), 10);
        registry.subscribeWithPositions(positioned, List.of("room"), null, "r1", 10);
        String epoch = ((InProcessBus) registry.bus).history().ring("room").epoch();
        assertEquals(
                List.of("LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:" + epoch + ":0\r\nrequest-id:r1\r\n\r\n"),
                positioned.frames);
        registry.bus.publish("room", frame(1));
        assertEquals(List.of(frame(1)), plain.frames, "byte-identical for a subscriber that did not ask");
        assertEquals("LHTTP/1.0 chat\r\nposition:" + epoch + ":1\r\npublish:room\r\n\r\n1", positioned.frames.get(1));
    }

    @Test
    void recoveryReplaysTheMissedThenLiveAndSaysWhenItIsIncomplete() throws ProtocolException {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus(new History("room", 3, 0, 10));
        for (int i = 1; i <= 4; i++) {
            registry.bus.publish("room", frame(i)); // nobody subscribed: kept all the same
        }
        String epoch = ((InProcessBus) registry.bus).history().ring("room").epoch();
        RecordingSubscriber back = new RecordingSubscriber();
        registry.subscribeWithPositions(back, List.of("room"), new Position(epoch, 2), null, 10);
        registry.bus.publish("room", frame(5));
        assertEquals(
                List.of(
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":3\r\npublish:room\r\n\r\n3",
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":4\r\npublish:room\r\n\r\n4",
                        "LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:" + epoch + ":4\r\nrecovered:true\r\n\r\n",
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":5\r\npublish:room\r\n\r\n5"),
                back.frames);
        RecordingSubscriber late = new RecordingSubscriber();
        registry.subscribeWithPositions(late, List.of("room"), new Position(epoch, 1), null, 10);
        assertEquals(4, late.frames.size(), "3, 4, 5 and the answer");
        assertTrue(late.frames.get(3).contains("recovered:false"), late.frames.get(3));
    }

    /** Presence news goes to who is there now: no position, not kept, not replayed, no room taken. */
    @Test
    void transientFramesAreDeliveredButNeverKept() throws ProtocolException {
        ChannelRegistry registry = new ChannelRegistry();
        registry.bus = new InProcessBus(new History("room", 2, 0, 10));
        RecordingSubscriber now = new RecordingSubscriber();
        registry.subscribeWithPositions(now, List.of("room"), null, null, 10);
        registry.bus.publish("room", frame(1));
        registry.bus.publishTransient("room", "LHTTP/1.0 presence\r\nevent:join\r\n\r\n");
        registry.bus.publishTransient("room", "LHTTP/1.0 presence\r\nevent:leave\r\n\r\n");
        registry.bus.publish("room", frame(2));
        String epoch = ((InProcessBus) registry.bus).history().ring("room").epoch();
        assertEquals(
                List.of(
                        "LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:" + epoch + ":0\r\n\r\n",
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":1\r\npublish:room\r\n\r\n1",
                        "LHTTP/1.0 presence\r\nevent:join\r\n\r\n",
                        "LHTTP/1.0 presence\r\nevent:leave\r\n\r\n",
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":2\r\npublish:room\r\n\r\n2"),
                now.frames);
        RecordingSubscriber back = new RecordingSubscriber();
        registry.subscribeWithPositions(back, List.of("room"), new Position(epoch, 0), null, 10);
        assertEquals(
                List.of(
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":1\r\npublish:room\r\n\r\n1",
                        "LHTTP/1.0 chat\r\nposition:" + epoch + ":2\r\npublish:room\r\n\r\n2",
                        "LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:" + epoch + ":2\r\nrecovered:true\r\n\r\n"),
                back.frames,
                "both messages still kept (size 2): the presence frames took no room");
    }

    /** A subscriber joins while another thread publishes: every message exactly once, in order. */
    @Test
    void theSeamHasNoGapAndNoDuplicate() throws Exception {
        for (int round = 0; round < 20; round++) {
            ChannelRegistry registry = new ChannelRegistry();
            registry.bus = new InProcessBus(new History("room", 10_000, 0, 10));
            for (int i = 1; i <= 100; i++) {
                registry.bus.publish("room", frame(i));
            }
            String epoch = ((InProcessBus) registry.bus).history().ring("room").epoch();
            CountDownLatch publishing = new CountDownLatch(1);
            Thread publisher = new Thread(() -> {
                for (int i = 101; i <= 3000; i++) {
                    try {
                        registry.bus.publish("room", frame(i));
                    } catch (ProtocolException e) {
                        throw new AssertionError(e);
                    }
                    if (i == 200) {
                        publishing.countDown();
                    }
                }
            });
            publisher.start();
            assertTrue(publishing.await(10, TimeUnit.SECONDS));
            RecordingSubscriber s = new RecordingSubscriber();
            registry.subscribeWithPositions(s, List.of("room"), new Position(epoch, 50), null, 10);
            publisher.join(10_000);
            List<Integer> bodies = new ArrayList<>();
            int answers = 0;
            for (String f : s.frames) {
                if (f.startsWith("LHTTP/1.0 subscribed")) {
                    answers++;
                    assertTrue(f.contains("recovered:true"), f);
                } else {
                    bodies.add(Integer.parseInt(f.substring(f.lastIndexOf('\n') + 1)));
                }
            }
            assertEquals(1, answers);
            assertEquals(2950, bodies.size(), "51..3000, each once");
            for (int i = 0; i < bodies.size(); i++) {
                assertEquals(51 + i, bodies.get(i));
            }
        }
    }
}
