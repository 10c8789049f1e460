package io.lhttp.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the result lines of bench/containers.sh into one markdown table: scenario × server, the
 * median over rounds, the ratio to nchan measured in the same round, CPU per delivery, the
 * integrity check and the healthy subscribers the server closed.
 *
 * <p>Input lines (anything else is ignored):
 * <pre>
 * R &lt;server&gt; &lt;round&gt; &lt;scenario&gt; &lt;nchan|server&gt; {json of the load tool's RESULT}
 * F &lt;server&gt; &lt;round&gt; &lt;scenario&gt; &lt;nchan|server&gt; reason     (the run produced no result)
 * </pre>
 * Usage: {@code java io.lhttp.load.Report results.txt}
 */
public final class Report {

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\":(\"([^\"]*)\"|[^,}]*)");

    /** One scenario on one server: its rounds, each with the server's and nchan's result. */
    static final class Cell {
        final Map<Integer, Map<String, String>> server = new TreeMap<>();
        final Map<Integer, Map<String, String>> nchan = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
    }

    private final Map<String, Map<String, Cell>> cells = new LinkedHashMap<>(); // scenario -> server -> cell

    public static void main(String[] args) throws IOException {
        Report r = new Report();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            r.add(line);
        }
        System.out.print(r.table());
    }

    void add(String line) {
        String[] f = line.split(" ", 6);
        if (f.length < 6 || !(f[0].equals("R") || f[0].equals("F"))) {
            return;
        }
        Cell cell = cells.computeIfAbsent(f[3], s -> new LinkedHashMap<>()).computeIfAbsent(f[1], s -> new Cell());
        int round = Integer.parseInt(f[2]);
        if (f[0].equals("F")) {
            cell.failures.add(f[4] + " round " + round + ": " + f[5]);
        } else {
            (f[4].equals("nchan") ? cell.nchan : cell.server).put(round, parse(f[5]));
        }
    }

    static Map<String, String> parse(String json) {
        Map<String, String> m = new LinkedHashMap<>();
        Matcher x = FIELD.matcher(json);
        while (x.find()) {
            m.put(x.group(1), x.group(3) != null ? x.group(3) : x.group(2).trim());
        }
        return m;
    }

    /** What a scenario is judged by: the key in the result, its unit, and whether more is better. */
    record Metric(String key, String label, boolean higherIsBetter) {
        /** By the result's mode; by the scenario's name when no run gave a result. */
        static Metric of(Map<String, String> result, String scenario) {
            return switch (result.getOrDefault(
                    "mode",
                    scenario.equals("latency") || scenario.equals("connections") || scenario.equals("memory")
                            ? scenario
                            : "fanout")) {
                case "latency" -> new Metric("p50_us", "p50 µs", false);
                case "connections" -> new Metric("open_per_s", "opens/s", true);
                case "memory" -> new Metric("kb_per_connection", "live heap KB per idle connection", false);
                default -> new Metric("delivered_per_s", "deliveries/s", true);
            };
        }
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double[] values(Map<Integer, Map<String, String>> rounds, String key) {
        return rounds.values().stream()
                .filter(r -> r.containsKey(key))
                .mapToDouble(r -> Double.parseDouble(r.get(key)))
                .toArray();
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(
                "| scenario | server | measure | nchan, same rounds | server: median (rounds) | server / nchan | "
                        + "server CPU µs per delivery (nchan) | lost / corrupt / dup / reorder | healthy subscribers closed |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, Cell>> s : cells.entrySet()) {
            for (Map.Entry<String, Cell> e : s.getValue().entrySet()) {
                sb.append(row(s.getKey(), e.getKey(), e.getValue())).append('\n');
            }
        }
        return sb.toString();
    }

    String row(String scenario, String server, Cell c) {
        Map<String, String> any = !c.server.isEmpty()
                ? c.server.values().iterator().next()
                : !c.nchan.isEmpty() ? c.nchan.values().iterator().next() : Map.of();
        Metric m = Metric.of(any, scenario);
        double[] mine = values(c.server, m.key());
        double[] theirs = values(c.nchan, m.key());
        List<Double> ratios = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, String>> r : c.server.entrySet()) {
            Map<String, String> n = c.nchan.get(r.getKey());
            if (n != null && n.containsKey(m.key()) && r.getValue().containsKey(m.key())) {
                double nv = Double.parseDouble(n.get(m.key()));
                if (nv > 0) {
                    ratios.add(Double.parseDouble(r.getValue().get(m.key())) / nv);
                }
            }
        }
        String ratio = ratios.isEmpty()
                ? "–"
                : String.format(
                        Locale.ROOT,
                        "%.2f×%s",
                        median(ratios.stream().mapToDouble(Double::doubleValue).toArray()),
                        m.higherIsBetter() ? "" : " (lower is better)");
        String cpu = c.server.isEmpty()
                ? "–"
                : fmt(median(values(c.server, "server_cpu_us_per_delivery")))
                        + (c.nchan.isEmpty()
                                ? ""
                                : " (" + fmt(median(values(c.nchan, "server_cpu_us_per_delivery"))) + ")");
        String serverCell = mine.length == 0 ? "–" : "**" + fmt(median(mine)) + "** (" + join(mine) + ")";
        if (m.key().equals("p50_us") && mine.length > 0) {
            serverCell += "; p99 " + fmt(median(values(c.server, "p99_us")));
        }
        if (m.key().equals("kb_per_connection") && mine.length > 0) {
            serverCell += "; after closing " + fmt(median(values(c.server, "kb_left_per_connection"))) + " KB left";
        }
        String nchanCell =
                theirs.length == 0 ? "–" : fmt(median(theirs)) + (theirs.length > 1 ? " (" + join(theirs) + ")" : "");
        if (m.key().equals("p50_us") && theirs.length > 0) {
            nchanCell += "; p99 " + fmt(median(values(c.nchan, "p99_us")));
        }
        return "| " + scenario + " | " + server + " | " + m.label() + " | " + nchanCell + " | " + serverCell + " | "
                + ratio + " | " + cpu + " | " + integrity(c) + " | " + closed(c) + " |";
    }

    /** Sum over all rounds of both sides; "clean" only when every run was complete and had no fault. */
    static String integrity(Cell c) {
        long[] faults = new long[4];
        int runs = 0;
        int incomplete = 0;
        String[] keys = {"lost", "corrupt", "duplicated", "out_of_order"};
        for (Map<Integer, Map<String, String>> side : List.of(c.server, c.nchan)) {
            for (Map<String, String> r : side.values()) {
                runs++;
                for (int i = 0; i < keys.length; i++) {
                    faults[i] += Long.parseLong(r.getOrDefault(keys[i], "0"));
                }
                if (!Boolean.parseBoolean(r.getOrDefault("complete", "false"))) {
                    incomplete++;
                }
            }
        }
        StringBuilder sb = new StringBuilder();
        if (faults[0] + faults[1] + faults[2] + faults[3] == 0 && incomplete == 0 && c.failures.isEmpty()) {
            sb.append("0 / 0 / 0 / 0, all ").append(runs).append(" runs complete");
        } else {
            sb.append(String.format(Locale.ROOT, "**%d / %d / %d / %d**", faults[0], faults[1], faults[2], faults[3]));
            if (incomplete > 0) {
                sb.append(", **").append(incomplete).append(" of ").append(runs).append(" runs incomplete**");
            }
            for (String f : c.failures) {
                sb.append(", **no result: ").append(f.replace('|', '/')).append("**");
            }
        }
        return sb.toString();
    }

    /** The server's runs only: nchan's subscribers are never counted against the server. */
    static String closed(Cell c) {
        long n = 0;
        Map<String, Long> codes = new TreeMap<>();
        for (Map<String, String> r : c.server.values()) {
            n += Long.parseLong(r.getOrDefault("subs_closed", "0"));
            for (String part : r.getOrDefault("close_codes", "").split(" ")) {
                int x = part.lastIndexOf('x');
                if (x > 0) {
                    codes.merge(part.substring(0, x), Long.parseLong(part.substring(x + 1)), Long::sum);
                }
            }
        }
        if (n == 0) {
            return "0";
        }
        StringBuilder sb = new StringBuilder("**").append(n).append("**");
        codes.forEach((code, k) -> sb.append(' ').append(code).append('×').append(k));
        return sb.toString();
    }

    private static String join(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double d : v) {
            sb.append(sb.length() == 0 ? "" : "; ").append(fmt(d));
        }
        return sb.toString();
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,d", Math.round(v));
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
