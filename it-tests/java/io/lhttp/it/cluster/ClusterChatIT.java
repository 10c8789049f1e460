package io.lhttp.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.browser.ChatPage;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chat demo's member list across a cluster, in real Chromium: two lhttp instances on one
 * nats-server, a page on each. Each page lists both members; a page that closes drops out of the
 * other's list at once (a leave frame: lhttp.presence.notify covers the demo's rooms, and the
 * first page's periodic refresh is set far beyond the test); the members of an instance that stops
 * answering (SIGSTOP: frozen with its sockets open, so nobody says goodbye) drop out at the next
 * refresh. A third instance lists at most one member per answer: its page shows one and says there
 * are more.
 */
class ClusterChatIT {

    private static final String NO_REFRESH = "refresh=3600000";
    private static NatsNode node;
    private static LhttpInstance a;
    private static LhttpInstance b;
    private static LhttpInstance c;

    @BeforeAll
    static void start() {
        node = NatsNode.standalone("chat").start();
        String nats = "-Dlhttp.nats.url=" + node.url();
        List<LhttpInstance> abc = LhttpInstance.startAll(
                node,
                new LhttpInstance.Launch("chat-A", nats, "-Dlhttp.presence.notify=demo-*"),
                new LhttpInstance.Launch("chat-B", nats, "-Dlhttp.presence.notify=demo-*"),
                new LhttpInstance.Launch("chat-C", nats, "-Dlhttp.presence.max-entries=1"));
        a = abc.get(0);
        b = abc.get(1);
        c = abc.get(2);
    }

    @AfterAll
    static void stop() {
        LhttpInstance.closeAll(a, b, c, node);
    }

    @Test
    void eachPageListsTheMembersOfBothInstancesAndDropsOneThatLeaves() {
        String room = "demo-" + System.nanoTime();
        try (ChatPage alice = ChatPage.demo(a.http("/"), room, "alice", NO_REFRESH)) {
            alice.awaitState("connected", ChatPage.WAIT);
            List<String> alone = alice.awaitMembers(1);
            List<String> both;
            try (ChatPage bob = ChatPage.demo(b.http("/"), room, "bob", NO_REFRESH)) {
                bob.awaitState("connected", ChatPage.WAIT);
                both = bob.awaitMembers(2);
                assertEquals(2, new HashSet<>(both).size(), "two members: " + both);
                assertTrue(both.containsAll(alone), "bob's page, on B, lists alice of A: " + both);
                // Alice asked before bob came: only the join frame (through NATS) can add him.
                assertEquals(both, alice.awaitMembers(2), "the same list on both instances");
                bob.sayAndAwaitEcho("bob was here");
                alice.awaitMessage("bob: bob was here");
            }
            assertEquals(alone, alice.awaitMembers(1), "bob's page closed: his leave frame drops him");
        }
    }

    @Test
    void membersOfAnInstanceThatStopsAnsweringDropOutAtTheNextRefresh() {
        String room = "demo-" + System.nanoTime();
        try (ChatPage dave = ChatPage.demo(a.http("/"), room, "dave", "refresh=2000");
                ChatPage carol = ChatPage.demo(b.http("/"), room, "carol", NO_REFRESH)) {
            dave.awaitState("connected", ChatPage.WAIT);
            carol.awaitState("connected", ChatPage.WAIT);
            List<String> both = dave.awaitMembers(2);
            assertEquals(both, carol.awaitMembers(2));
            b.signal("STOP");
            try {
                List<String> left = dave.awaitMembers(1);
                assertTrue(both.containsAll(left), "the member left is dave's own: " + left + " of " + both);
            } finally {
                b.signal("CONT");
            }
        }
    }

    @Test
    void aListCutByTheServerSaysThereAreMore() {
        String room = "bounded-" + System.nanoTime();
        try (ChatPage frank = ChatPage.demo(a.http("/"), room, "frank", "refresh=2000");
                ChatPage erin = ChatPage.demo(c.http("/"), room, "erin", "refresh=2000")) {
            frank.awaitState("connected", ChatPage.WAIT);
            erin.awaitState("connected", ChatPage.WAIT);
            assertEquals(2, frank.awaitMembers(2).size(), "A lists up to 1000");
            erin.awaitMore();
            assertEquals(
                    1, erin.members().size(), "C lists at most 1 (lhttp.presence.max-entries=1): " + erin.members());
        }
    }
}
