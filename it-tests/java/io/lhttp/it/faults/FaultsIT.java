package io.lhttp.it.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.Await;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 22: faults injected into a real cluster (three {@code nats-server -js} nodes, the history
 * stream with three replicas, three lhttp uberjars) while clients publish and subscribe, and the
 * {@link Checker} over the whole history of each run. Each fault alone, briefly (the {@code mvn verify}
 * run), then a run of faults mixed at random for {@code -Dlhttp.faults.duration-s} (default 30 s;
 * bench/faults.sh runs it for 30 minutes). Randomness is seeded: {@code -Dlhttp.faults.seed=N}
 * repeats a run; the seed is printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {

    static final long SEED = Long.getLong("lhttp.faults.seed", System.currentTimeMillis());
    /** How long a frozen process stays frozen in the single-fault runs (the mixed run draws 5–30 s). */
    private static final Duration SHORT_HOLD = Duration.ofSeconds(5);

    private static final Duration AFTER_FAULT = Duration.ofSeconds(240);

    private static FaultCluster cluster;

    @FunctionalInterface
    interface Action {
        void inject(Workload w, Random rnd) throws Exception;
    }

    @BeforeAll
    static void startCluster() {
        System.out.println("FAULTS seed=" + SEED + " (repeat with -Dlhttp.faults.seed=" + SEED + ")");
        cluster = FaultCluster.start();
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void killMinus9OfAnLhttpInstance() throws Exception {
        run("kill-lhttp", 1, (w, rnd) -> killLhttp(w, rnd.nextInt(3)));
    }

    @Test
    @Order(2)
    void killMinus9OfTheNatsNodeLeadingTheStream() throws Exception {
        run("kill-leader", 2, (w, rnd) -> killLeader(w, SHORT_HOLD));
    }

    @Test
    @Order(3)
    void sigstopOfTheNatsNodeLeadingTheStream() throws Exception {
        run("stop-nats", 3, (w, rnd) -> freezeNats(w, cluster.awaitStreamLeader(Duration.ofSeconds(60)), SHORT_HOLD));
    }

    @Test
    @Order(4)
    void sigstopOfAnLhttpInstance() throws Exception {
        run("stop-lhttp", 4, (w, rnd) -> freezeLhttp(w, rnd.nextInt(3), SHORT_HOLD));
    }

    @Test
    @Order(5)
    void aClientCutInTheMiddleOfItsReplay() throws Exception {
        run("cut-replay", 5, FaultsIT::cutReplay);
    }

    @Test
    @Order(6)
    void rollingRestartOfTheNatsNodes() throws Exception {
        run("rolling-nats", 6, (w, rnd) -> rollingNats(w));
    }

    @Test
    @Order(7)
    void rollingRestartOfTheLhttpInstances() throws Exception {
        run("rolling-lhttp", 7, (w, rnd) -> rollingLhttp(w));
    }

    /** Faults at random, seeded, for {@code lhttp.faults.duration-s}, then one check over the whole run. */
    @Test
    @Order(8)
    void faultsMixedAtRandom() throws Exception {
        Duration duration = Duration.ofSeconds(Long.getLong("lhttp.faults.duration-s", 30));
        run("mixed", 8, (w, rnd) -> {
            long end = System.nanoTime() + duration.toNanos();
            int faults = 0;
            while (System.nanoTime() < end) {
                boolean longRun = duration.toSeconds() > 120;
                Duration hold = Duration.ofSeconds(5 + rnd.nextInt(longRun ? 26 : 3));
                // The short run (mvn verify) leaves out the faults that boot instances: each was run alone above.
                switch (rnd.nextInt(longRun ? 7 : 5)) {
                    case 0 -> killLeader(w, hold);
                    case 1 -> freezeNats(w, rnd.nextInt(3), hold);
                    case 2 -> freezeLhttp(w, rnd.nextInt(3), hold);
                    case 3 -> cutReplay(w, rnd);
                    case 4 -> rollingNats(w);
                    case 5 -> killLhttp(w, rnd.nextInt(3));
                    default -> rollingLhttp(w);
                }
                faults++;
                long from = w.log.now();
                Await.until(AFTER_FAULT, () -> w.progressedSince(from), "traffic again after fault " + faults);
                TimeUnit.MILLISECONDS.sleep(1000 + rnd.nextInt(4000)); // the random interval between faults
            }
            System.out.println("FAULTS mixed: " + faults + " faults in " + duration.toSeconds() + " s");
        });
    }

    // --- the faults ---

    private static void killLhttp(Workload w, int i) {
        long at = w.log.now();
        cluster.killLhttp(i);
        cluster.restartLhttp(i);
        w.log.add(new OpLog.Fault(at, w.log.now(), "kill -9 " + cluster.name(i) + " (restarted)"));
    }

    private static void killLeader(Workload w, Duration hold) throws InterruptedException {
        int leader = cluster.awaitStreamLeader(Duration.ofSeconds(60));
        long at = w.log.now();
        cluster.nodes.get(leader).kill();
        holdFor(hold);
        cluster.restartNode(leader);
        w.log.add(new OpLog.Fault(
                at,
                w.log.now(),
                "kill -9 " + cluster.nodes.get(leader).name() + " (stream leader), down " + hold.toSeconds() + " s"));
    }

    private static void freezeNats(Workload w, int i, Duration hold) throws InterruptedException {
        long at = w.log.now();
        cluster.nodes.get(i).freeze();
        try {
            holdFor(hold);
        } finally {
            cluster.nodes.get(i).thaw();
        }
        w.log.add(new OpLog.Fault(
                at, w.log.now(), "SIGSTOP " + cluster.nodes.get(i).name() + " " + hold.toSeconds() + " s"));
    }

    private static void freezeLhttp(Workload w, int i, Duration hold) throws InterruptedException {
        long at = w.log.now();
        cluster.freezeLhttp(i);
        try {
            holdFor(hold);
        } finally {
            cluster.thawLhttp(i);
        }
        w.log.add(new OpLog.Fault(at, w.log.now(), "SIGSTOP " + cluster.name(i) + " " + hold.toSeconds() + " s"));
    }

    private static void cutReplay(Workload w, Random rnd) throws InterruptedException {
        Subscriber s = w.subscribers.get(1 + rnd.nextInt(2)); // S2 or S3 (S1 unsubscribes at the end)
        int before = s.cuts.get();
        long at = w.log.now();
        s.cutNextReplay = true;
        s.leave();
        Await.until(
                Duration.ofSeconds(60),
                () -> s.cuts.get() > before || !s.cutNextReplay,
                s.name + " cut during a replay");
        w.log.add(new OpLog.Fault(at, w.log.now(), s.name + " cut in the middle of its replay"));
    }

    private static void rollingNats(Workload w) throws InterruptedException {
        long at = w.log.now();
        for (int i = 0; i < cluster.nodes.size(); i++) {
            cluster.nodes.get(i).close();
            cluster.restartNode(i);
            cluster.awaitStreamLeader(Duration.ofSeconds(60));
        }
        w.log.add(new OpLog.Fault(at, w.log.now(), "rolling restart of the NATS nodes"));
    }

    private static void rollingLhttp(Workload w) {
        long at = w.log.now();
        for (int i = 0; i < cluster.size(); i++) {
            cluster.restartLhttp(i);
        }
        w.log.add(new OpLog.Fault(at, w.log.now(), "rolling restart of the lhttp instances"));
    }

    /** A fault's duration: the process stays down or frozen this long while the clients go on. */
    private static void holdFor(Duration hold) throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(hold.toMillis()); // the fault's length, not a wait for a result
    }

    // --- one run ---

    private static void run(String fault, int k, Action action) throws Exception {
        long seed = SEED + k;
        Random rnd = new Random(seed);
        long started = System.nanoTime();
        try (Workload w = new Workload(cluster, seed, "-" + fault)) {
            w.start();
            long t0 = w.log.now();
            Await.until(Duration.ofSeconds(60), () -> w.progressedSince(t0), "traffic before the fault");
            action.inject(w, rnd);
            long t1 = w.log.now();
            Await.until(AFTER_FAULT, () -> w.progressedSince(t1), "every subscriber hears every publisher again");
            w.stop();
            List<OpLog.Op> ops = w.log.ops();
            Checker.Report r = new Checker(Workload.ACK_WINDOW, c -> c.startsWith("h-")).check(ops);
            System.out.println("FAULTS-RESULT fault=" + fault + " seed=" + seed + " " + r.summary()
                    + " plain_blackout_ms=" + blackoutMs(ops, "T1") + " run_s="
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            r.recoveredFalse().forEach(x -> System.out.println("FAULTS recovered:false " + x));
            r.violations().stream().limit(30).forEach(v -> System.out.println("FAULTS VIOLATION " + v));
            assertTrue(r.acked() > 50 && r.deliveries() > 100, "the run did publish and deliver: " + r.summary());
            assertTrue(
                    r.ok(),
                    fault + " (seed " + seed + "): " + r.violations().size() + " violations, first: "
                            + r.violations().stream().limit(5).toList());
        }
    }

    /** The longest time between two messages reaching the plain channel's subscriber. */
    private static long blackoutMs(List<OpLog.Op> ops, String subscriber) {
        long last = -1;
        long worst = 0;
        for (OpLog.Op op : ops) {
            if (op instanceof OpLog.Delivered d && d.subscriber().equals(subscriber)) {
                if (last >= 0) {
                    worst = Math.max(worst, d.at() - last);
                }
                last = d.at();
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(worst);
    }
}
