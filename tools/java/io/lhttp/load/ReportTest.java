package io.lhttp.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** bench/containers.sh's table: medians, ratios to nchan of the same round, and faults that must not hide. */
class ReportTest {

    private static String fanout(long perS, long lost, boolean complete, int closed, String codes) {
        return "{\"mode\":\"fanout\",\"target\":\"lhttp\",\"delivered_per_s\":" + perS + ",\"lost\":" + lost
                + ",\"corrupt\":0,\"duplicated\":0,\"out_of_order\":0,\"complete\":" + complete
                + ",\"subs_closed\":" + closed + ",\"close_codes\":\"" + codes
                + "\",\"server_cpu_us_per_delivery\":6.5}";
    }

    private static String row(Report r) {
        String[] lines = r.table().split("\n");
        assertEquals(3, lines.length, r.table());
        return lines[2];
    }

    @Test
    void medianOfRoundsAndMedianOfPerRoundRatios() {
        Report r = new Report();
        // ratios per round: 2.0, 0.5, 1.0 -> median 1.0; a ratio of medians would be 200/200 = 1.0 too, so round 3
        // differs
        r.add("R wildfly 1 fanout100 nchan " + fanout(100, 0, true, 0, ""));
        r.add("R wildfly 1 fanout100 server " + fanout(200, 0, true, 0, ""));
        r.add("R wildfly 2 fanout100 nchan " + fanout(400, 0, true, 0, ""));
        r.add("R wildfly 2 fanout100 server " + fanout(200, 0, true, 0, ""));
        r.add("R wildfly 3 fanout100 nchan " + fanout(200, 0, true, 0, ""));
        r.add("R wildfly 3 fanout100 server " + fanout(300, 0, true, 0, ""));
        String row = row(r);
        assertTrue(
                row.startsWith(
                        "| fanout100 | wildfly | deliveries/s | 200 (100; 400; 200) | **200** (200; 200; 300) | 1.50× |"),
                row);
        assertTrue(row.contains("| 0 / 0 / 0 / 0, all 6 runs complete | 0 |"), row);
    }

    @Test
    void evenRoundsTakeTheMeanOfTheMiddleTwo() {
        assertEquals(2.5, Report.median(new double[] {4, 1, 2, 3}));
        assertEquals(3.0, Report.median(new double[] {3}));
    }

    @Test
    void lossIncompleteRunsAndClosedHealthySubscribersShow() {
        Report r = new Report();
        r.add("R wildfly 1 fanout100 nchan " + fanout(100, 0, true, 0, ""));
        r.add("R wildfly 1 fanout100 server " + fanout(200, 119426, false, 21, "1008x21"));
        r.add("R wildfly 2 fanout100 server " + fanout(200, 3, false, 2, "1006x1 1008x1"));
        String row = row(r);
        assertTrue(row.contains("| **119429 / 0 / 0 / 0**, **2 of 3 runs incomplete** | **23** 1006×1 1008×22 |"), row);
    }

    @Test
    void aRunWithoutResultIsNamed() {
        Report r = new Report();
        r.add("R tomee 1 connections nchan {\"mode\":\"connections\",\"open_per_s\":5000,\"complete\":true}");
        r.add("F tomee 1 connections server load tool exit 1 | no RESULT line");
        String row = row(r);
        assertTrue(row.contains("| opens/s | 5,000 | – | – |"), row);
        assertTrue(row.contains("**no result: server round 1: load tool exit 1 / no RESULT line**"), row);
    }

    @Test
    void latencyRatioSaysLowerIsBetter() {
        Report r = new Report();
        r.add("R payara 1 latency nchan {\"mode\":\"latency\",\"p50_us\":100.0,\"p99_us\":300.0,\"complete\":true}");
        r.add("R payara 1 latency server {\"mode\":\"latency\",\"p50_us\":400.0,\"p99_us\":2000.0,\"complete\":true}");
        String row = row(r);
        assertTrue(row.contains("| p50 µs | 100; p99 300 | **400** (400); p99 2,000 | 4.00× (lower is better) |"), row);
    }

    @Test
    void linesThatAreNotResultsAreIgnored() {
        Report r = new Report();
        r.add("progress: 10/100 delivered");
        r.add("## fanout100 nchan");
        assertEquals(2, r.table().split("\n").length);
    }

    @Test
    void memoryHasNoNchanAndAFailedScenarioKeepsItsMeasure() {
        Report r = new Report();
        r.add(
                "R payara 1 memory server {\"mode\":\"memory\",\"kb_per_connection\":16.63,\"kb_left_per_connection\":0.342,"
                        + "\"subs_closed\":0,\"close_codes\":\"\",\"complete\":true}");
        r.add("F tomee 1 memory server server not started: died during start-up");
        String[] lines = r.table().split("\n");
        assertTrue(
                lines[2].startsWith(
                        "| memory | payara | live heap KB per idle connection | – | **16.6** (16.6); after closing 0.3 KB left | – |"),
                lines[2]);
        assertTrue(lines[3].startsWith("| memory | tomee | live heap KB per idle connection | – | – | – |"), lines[3]);
    }
}
