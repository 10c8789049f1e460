package io.lhttp.it.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.faults.OpLog.Delivered;
import io.lhttp.it.faults.OpLog.Fault;
import io.lhttp.it.faults.OpLog.Joined;
import io.lhttp.it.faults.OpLog.Op;
import io.lhttp.it.faults.OpLog.Outcome;
import io.lhttp.it.faults.OpLog.Result;
import io.lhttp.it.faults.OpLog.Sent;
import io.lhttp.it.faults.OpLog.SessionEnded;
import io.lhttp.it.faults.OpLog.Unsubscribed;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checker on crafted histories: it must catch loss, duplicates, reorder, phantoms and late deliveries. */
class CheckerTest {

    private static final long MS = 1_000_000L;
    private final Checker checker = new Checker(Duration.ofSeconds(1), c -> c.startsWith("h"));

    /** s1 joins at 0 and stays; p sends 1..3 acknowledged at 10, 20, 30 ms. */
    private static List<Op> clean() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Joined(0, "s1", 1, "h1", "i1", null, null, "e:0"));
        for (int n = 1; n <= 3; n++) {
            ops.add(new Sent(n * 10 * MS, "p", n, "h1", false));
            ops.add(new Outcome(n * 10 * MS, "p", n, Result.ACK));
            ops.add(new Delivered(n * 10 * MS + MS, "s1", 1, "p", n, "e:" + n, "h1"));
        }
        return ops;
    }

    private Checker.Report check(List<Op> ops) {
        ops.sort(java.util.Comparator.comparingLong(Op::at));
        return checker.check(ops);
    }

    @Test
    void aCleanHistoryPasses() {
        Checker.Report r = check(clean());
        assertTrue(r.ok(), r.violations().toString());
        assertEquals(3, r.acked());
        assertEquals(3, r.deliveries());
    }

    @Test
    void catchesALostAcknowledgedMessage() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() == 2);
        Checker.Report r = check(ops);
        assertEquals(1, r.violations().size(), r.violations().toString());
        assertTrue(
                r.violations().get(0).startsWith("loss: s1 never received acknowledged p:2"),
                r.violations().toString());
    }

    @Test
    void aMessageThatGotAnErrorOrNoAnswerNeedNotArrive() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() >= 2);
        ops.removeIf(op -> op instanceof Outcome o && o.n() >= 2);
        ops.add(new Outcome(20 * MS, "p", 2, Result.ERR));
        Checker.Report r = check(ops); // p:3 has no outcome: unknown
        assertTrue(r.ok(), r.violations().toString());
        assertEquals(1, r.errors());
        assertEquals(1, r.unknown());
    }

    @Test
    void catchesADuplicateAtARecoverySeam() {
        List<Op> ops = clean();
        ops.add(new SessionEnded(25 * MS, "s1", 1));
        ops.add(new Joined(26 * MS, "s1", 2, "h1", "i2", "e:2", true, "e:3"));
        ops.add(new Delivered(26 * MS, "s1", 2, "p", 2, "e:2", "h1")); // replayed again
        Checker.Report r = check(ops);
        assertTrue(
                r.violations().stream().anyMatch(v -> v.startsWith("duplicate: s1 received p:2")),
                r.violations().toString());
    }

    @Test
    void catchesAReorder() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() == 2);
        ops.add(new Delivered(35 * MS, "s1", 1, "p", 2, "e:2", "h1"));
        Checker.Report r = check(ops);
        assertEquals(
                List.of("reorder"),
                r.violations().stream().map(v -> v.substring(0, v.indexOf(':'))).toList(),
                r.violations().toString());
    }

    @Test
    void anAcknowledgedFrameStoredLateDuringAFaultIsCountedNotAViolation() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() == 2);
        ops.add(new Delivered(35 * MS, "s1", 1, "p", 2, "e:2", "h1"));
        ops.add(new Fault(15 * MS, 40 * MS, "SIGSTOP node-2 5 s"));
        Checker.Report r = check(ops);
        assertEquals(List.of(), r.violations());
        assertEquals(1, r.ackedOutOfOrderInFault());
    }

    @Test
    void catchesAPhantom() {
        List<Op> ops = clean();
        ops.add(new Delivered(40 * MS, "s1", 1, "ghost", 1, "e:9", "h1"));
        Checker.Report r = check(ops);
        assertEquals(1, r.violations().size());
        assertTrue(r.violations().get(0).startsWith("phantom: s1 received ghost:1"));
    }

    @Test
    void catchesADeliveryAfterTheUnsubscribe() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() == 3);
        ops.add(new Unsubscribed(25 * MS, "s1", 1));
        ops.add(new Delivered(31 * MS, "s1", 1, "p", 3, "e:3", "h1"));
        Checker.Report r = check(ops);
        assertTrue(
                r.violations().stream().anyMatch(v -> v.startsWith("after unsubscribe: s1")),
                r.violations().toString());
    }

    @Test
    void recoveredFalseStartsANewSegmentAndIsCountedWithTheFaultsAround() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Joined(0, "s1", 1, "h1", "i1", null, null, "e:0"));
        ops.add(new Sent(10 * MS, "p", 1, "h1", false));
        ops.add(new Outcome(10 * MS, "p", 1, Result.ACK));
        ops.add(new Delivered(11 * MS, "s1", 1, "p", 1, "e:1", "h1"));
        ops.add(new Fault(15 * MS, 40 * MS, "kill -9 nats node-2 (stream leader)"));
        ops.add(new SessionEnded(20 * MS, "s1", 1));
        ops.add(new Sent(30 * MS, "p", 2, "h1", false)); // in the gap: may be lost after recovered:false
        ops.add(new Outcome(30 * MS, "p", 2, Result.ACK));
        ops.add(new Joined(2000 * MS, "s1", 2, "h1", "i2", "e:1", false, "e:3"));
        ops.add(new Sent(2100 * MS, "p", 3, "h1", false));
        ops.add(new Outcome(2100 * MS, "p", 3, Result.ACK));
        Checker.Report r = check(ops); // p:3 after the new join never arrived
        assertEquals(1, r.violations().size(), r.violations().toString());
        assertTrue(r.violations().get(0).startsWith("loss: s1 never received acknowledged p:3"));
        assertEquals(1, r.recoveredFalse().size());
        assertTrue(
                r.recoveredFalse().get(0).contains("kill -9 nats node-2"),
                r.recoveredFalse().toString());
    }

    @Test
    void recoveredTrueMustHaveReplayedWhatWasSentWhileAway() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Joined(0, "s1", 1, "h1", "i1", null, null, "e:0"));
        ops.add(new SessionEnded(20 * MS, "s1", 1));
        ops.add(new Sent(30 * MS, "p", 1, "h1", false));
        ops.add(new Outcome(30 * MS, "p", 1, Result.ACK));
        ops.add(new Joined(2000 * MS, "s1", 2, "h1", "i2", "e:0", true, "e:1"));
        Checker.Report r = check(ops);
        assertEquals(1, r.violations().size(), "recovered:true with a gap is the bug issue 22 found");
        assertEquals(1, r.recoveredTrue());
    }

    @Test
    void plainChannelsAreMeasuredNotAsserted() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Joined(0, "s1", 1, "plain", "i1", null, null, null));
        ops.add(new Sent(10 * MS, "p", 1, "plain", true));
        ops.add(new Outcome(10 * MS, "p", 1, Result.ACK));
        ops.add(new SessionEnded(2000 * MS, "s1", 1));
        ops.add(new Joined(2100 * MS, "s1", 2, "plain", "i2", null, null, null)); // nothing to recover: not counted
        Checker.Report r = check(ops);
        assertTrue(r.ok());
        assertEquals(1, r.plainSent());
        assertEquals(1, r.plainLost());
        assertEquals(List.of(), r.recoveredFalse());
    }

    @Test
    void aMessageSentTooCloseToTheEndOfASessionWithoutRejoinIsNotRequired() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Joined(0, "s1", 1, "h1", "i1", null, null, "e:0"));
        ops.add(new Sent(1500 * MS, "p", 1, "h1", false));
        ops.add(new Outcome(1500 * MS, "p", 1, Result.ACK));
        ops.add(new SessionEnded(2000 * MS, "s1", 1)); // within the 1 s grace
        assertTrue(check(ops).ok());
    }

    @Test
    void whatACutReplayDeliveredCountsForTheSegmentItsRecoveryContinues() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() >= 2);
        ops.add(new SessionEnded(15 * MS, "s1", 1));
        ops.add(new Delivered(40 * MS, "s1", 2, "p", 2, "e:2", "h1")); // replay of session 2, then cut
        ops.add(new SessionEnded(41 * MS, "s1", 2));
        ops.add(new Delivered(50 * MS, "s1", 3, "p", 3, "e:3", "h1")); // session 3 replays from e:2 on
        ops.add(new Joined(51 * MS, "s1", 3, "h1", "i3", "e:2", true, "e:3"));
        Checker.Report r = check(ops);
        assertTrue(r.ok(), r.violations().toString());
    }

    @Test
    void aMessageThatGotA503AndWasStoredLateIsCountedNotAReorder() {
        List<Op> ops = clean();
        ops.removeIf(op -> op instanceof Delivered d && d.n() == 2);
        ops.removeIf(op -> op instanceof Outcome o && o.n() == 2);
        ops.add(new Outcome(20 * MS, "p", 2, Result.ERR));
        ops.add(new Delivered(35 * MS, "s1", 1, "p", 2, "e:4", "h1"));
        Checker.Report r = check(ops);
        assertTrue(r.ok(), r.violations().toString());
        assertEquals(1, r.unackedOutOfOrder());
    }
}
