package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Presence across two lhttp instances on one nats-server (PROTOCOL.md §2.3): the members of both
 * instances from either, the join of a member on the other instance, and the members of an
 * instance that stops answering (SIGSTOP: frozen with its sockets open) drop out.
 */
class PresenceClusterIT {

    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static NatsNode node;
    private static LhttpInstance a;
    private static LhttpInstance b;

    @BeforeAll
    static void start() {
        node = NatsNode.standalone("presence").start();
        String[] options = {"-Dlhttp.nats.url=" + node.url(), "-Dlhttp.presence.notify=members"};
        List<LhttpInstance> ab = LhttpInstance.startAll(
                node, new LhttpInstance.Launch("presence-A", options), new LhttpInstance.Launch("presence-B", options));
        a = ab.get(0);
        b = ab.get(1);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, b, node);
    }

    private static void sync(SdkClient c) throws Exception {
        c.send("LHTTP/1.0 echo\r\n\r\nsync");
        String f = c.next();
        while (f.startsWith("LHTTP/1.0 presence\r\nevent:")) {
            f = c.next(); // a subscriber of a notify channel hears joins, its own included
        }
        assertEquals("LHTTP/1.0 echo\r\n\r\nsync", f);
    }

    /** Asks {@code presence:members} until the answer lists exactly {@code expected} members, within the deadline. */
    private static String awaitMembers(SdkClient asker, int expected) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        String last = null;
        int n = 0;
        while (System.nanoTime() < deadline) {
            asker.send("LHTTP/1.0 who\r\nrequest-id:p" + n + "\r\npresence:members\r\n\r\n");
            String answer = asker.next();
            while (answer.startsWith("LHTTP/1.0 presence\r\nevent:")) {
                answer = asker.next();
            }
            assertTrue(answer.startsWith("LHTTP/1.0 presence\r\nchannel:members\r\ncount:"), answer);
            assertTrue(answer.contains("request-id:p" + n + "\r\n"), answer);
            n++;
            last = answer;
            if (answer.contains("count:" + expected + "\r\n")) {
                return answer;
            }
            TimeUnit.MILLISECONDS.sleep(100); // between requests, bounded by the deadline
        }
        throw new AssertionError("presence never listed " + expected + " members; last answer: " + last);
    }

    private static String member(String frame) {
        int at = frame.indexOf("member:") + "member:".length();
        return frame.substring(at, frame.indexOf("\r\n", at));
    }

    private static Set<String> body(String answer) {
        String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
        return new HashSet<>(Arrays.asList(body.split("\n")));
    }

    @Test
    void membersOfBothInstancesAndNoneOfAFrozenOne() throws Exception {
        try (SdkClient onA = SdkClient.connect(a.ws());
                SdkClient onB = SdkClient.connect(b.ws());
                SdkClient askA = SdkClient.connect(a.ws());
                SdkClient askB = SdkClient.connect(b.ws())) {
            onA.send("LHTTP/1.0 sub\r\nsubscribe:members\r\n\r\n");
            sync(onA);
            onB.send("LHTTP/1.0 sub\r\nsubscribe:members\r\n\r\n");
            sync(onB);
            sync(askA);
            sync(askB);
            Set<String> fromA = body(awaitMembers(askA, 2));
            Set<String> fromB = body(awaitMembers(askB, 2));
            assertEquals(fromA, fromB, "the same members, asked on either instance");

            // A member joining on B is announced to A's subscriber: a join frame through the bus.
            try (SdkClient late = SdkClient.connect(b.ws())) {
                late.send("LHTTP/1.0 sub\r\nsubscribe:members\r\n\r\n");
                String join;
                List<String> seen = new ArrayList<>();
                do {
                    try {
                        join = onA.next(); // its own join and onB's may come first
                    } catch (AssertionError e) {
                        throw new AssertionError(
                                "no join of the late member; A's subscriber had " + seen + ", members " + fromA, e);
                    }
                    seen.add(join);
                } while (!join.startsWith("LHTTP/1.0 presence\r\nevent:join") || fromA.contains(member(join)));
                assertTrue(join.startsWith("LHTTP/1.0 presence\r\nevent:join\r\nchannel:members\r\nmember:"), join);
                Set<String> three = body(awaitMembers(askA, 3));
                assertTrue(three.containsAll(fromA), three.toString());
            }
            awaitMembers(askA, 2);

            b.signal("STOP");
            try {
                Set<String> onlyA = body(awaitMembers(askA, 1));
                assertEquals(1, onlyA.size());
                assertTrue(fromA.containsAll(onlyA), "the member left is A's own: " + onlyA);
            } finally {
                b.signal("CONT");
            }
        }
    }
}
