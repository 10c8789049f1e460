package io.lhttp.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code lhttp_connections_refused_total} by reason, read from a server's Prometheus text at
 * {@code /lhttp/metrics} (docs/OPERATING.md), as a client on this host without a token may.
 */
public final class RefusalCounters {

    /** The reasons io.lhttp.meters.Meters.Refusal names, one series each. */
    public static final int REASONS = io.lhttp.meters.Meters.Refusal.values().length;

    private static final Pattern REFUSED = Pattern.compile(
            "^lhttp_connections_refused_total\\{[^}]*reason=\"([a-z_]+)\"[^}]*\\} (\\S+)$", Pattern.MULTILINE);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RefusalCounters() {}

    /** The counter of each reason now. */
    public static Map<String, Double> read(URI httpUri) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(httpUri.resolve("/lhttp/metrics"))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Double> out = new HashMap<>();
        Matcher m = REFUSED.matcher(r.body());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        assertEquals(REASONS, out.size(), "one series per reason: " + out);
        return out;
    }
}
