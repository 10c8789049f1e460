package io.lhttp.client;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small client of the server API over HTTP (docs/SERVER-API.md, {@code /publish/api/}): what a
 * backend that is not in the server's JVM calls to disconnect users, subscribe them server-side and
 * read the cluster's state. Thread-safe; each call is one blocking HTTP request.
 *
 * <pre>{@code
 * ServerApiClient api = ServerApiClient.of(URI.create("http://127.0.0.1:8080"), System.getenv("LHTTP_PUBLISH_TOKEN"));
 * int closed = api.disconnectUser("bob", 4000, "logged out").connections();
 * }</pre>
 */
public final class ServerApiClient {

    private final URI base;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    private ServerApiClient(URI base, String token, Duration timeout) {
        this.base = base;
        this.token = token;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    /**
     * A client of the server at {@code base} (e.g. {@code http://127.0.0.1:8080}).
     *
     * @param token {@code lhttp.publish.token}, or null when the server has none (then only its own host may call)
     */
    public static ServerApiClient of(URI base, String token) {
        return new ServerApiClient(base, token, Duration.ofSeconds(10));
    }

    /** The server refused the request: its status and the reason it gave. */
    public static final class ApiException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int status;

        ApiException(int status, String reason) {
            super(status + " " + reason.trim());
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** What every instance that answered did: connections acted on (in total and per instance), and refused ones. */
    public record Outcome(int connections, Map<String, Integer> perInstance, int refused) {}

    /** A channel's members on every instance. */
    public record Presence(List<String> members, boolean truncated) {}

    /** A history channel's kept messages (frame and position), oldest first; {@code top} null without history. */
    public record History(List<String> frames, List<String> positions, String top, boolean complete) {}

    /**
     * A history channel's newest {@code limit} kept messages (with {@code since} null), or the
     * oldest {@code limit} after the position {@code since}.
     */
    @SuppressWarnings("unchecked")
    public History history(String channel, int limit, String since) throws IOException, InterruptedException {
        Map<String, Object> m = (Map<String, Object>) get(
                "history?channel=" + enc(channel) + "&limit=" + limit + (since == null ? "" : "&since=" + enc(since)));
        List<String> frames = new ArrayList<>();
        List<String> positions = new ArrayList<>();
        for (Object o : (List<Object>) m.get("messages")) {
            Map<String, Object> e = (Map<String, Object>) o;
            frames.add((String) e.get("frame"));
            positions.add((String) e.get("position"));
        }
        return new History(frames, positions, (String) m.get("top"), Boolean.TRUE.equals(m.get("complete")));
    }

    /** One instance's counts. */
    public record Info(String instance, int connections, int channels, int subscriptions) {}

    public Outcome disconnectUser(String user, int code, String reason) throws IOException, InterruptedException {
        return outcome(post("disconnect", form("user", user, "code", Integer.toString(code), "reason", reason)));
    }

    public Outcome disconnectConnection(String id, int code, String reason) throws IOException, InterruptedException {
        return outcome(post("disconnect", form("connection", id, "code", Integer.toString(code), "reason", reason)));
    }

    public Outcome subscribeUser(String user, List<String> channels) throws IOException, InterruptedException {
        return outcome(post("subscribe", form("user", user, "channels", String.join(" ", channels))));
    }

    public Outcome subscribeConnection(String id, List<String> channels) throws IOException, InterruptedException {
        return outcome(post("subscribe", form("connection", id, "channels", String.join(" ", channels))));
    }

    public Outcome unsubscribeUser(String user, List<String> channels) throws IOException, InterruptedException {
        return outcome(post("unsubscribe", form("user", user, "channels", String.join(" ", channels))));
    }

    public Outcome unsubscribeConnection(String id, List<String> channels) throws IOException, InterruptedException {
        return outcome(post("unsubscribe", form("connection", id, "channels", String.join(" ", channels))));
    }

    @SuppressWarnings("unchecked")
    public Presence presence(String channel) throws IOException, InterruptedException {
        Map<String, Object> m = (Map<String, Object>) get("presence?channel=" + enc(channel));
        List<String> members = new ArrayList<>();
        for (Object o : (List<Object>) m.get("members")) {
            members.add((String) o);
        }
        return new Presence(members, Boolean.TRUE.equals(m.get("truncated")));
    }

    /** Channel to its subscribers over all instances that answered (at most {@code limit} per instance). */
    @SuppressWarnings("unchecked")
    public Map<String, Integer> channels(int limit) throws IOException, InterruptedException {
        Map<String, Object> m = (Map<String, Object>) get("channels?limit=" + limit);
        Map<String, Integer> total = new LinkedHashMap<>();
        for (Object o : (List<Object>) m.get("instances")) {
            Map<String, Object> inst = (Map<String, Object>) o;
            ((Map<String, Object>) inst.get("channels"))
                    .forEach((k, v) -> total.merge(k, ((Long) v).intValue(), Integer::sum));
        }
        return total;
    }

    @SuppressWarnings("unchecked")
    public List<Info> info() throws IOException, InterruptedException {
        Map<String, Object> m = (Map<String, Object>) get("info");
        List<Info> out = new ArrayList<>();
        for (Object o : (List<Object>) m.get("instances")) {
            Map<String, Object> i = (Map<String, Object>) o;
            out.add(new Info(
                    (String) i.get("instance"),
                    ((Long) i.get("connections")).intValue(),
                    ((Long) i.get("channels")).intValue(),
                    ((Long) i.get("subscriptions")).intValue()));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Outcome outcome(Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        Map<String, Integer> per = new LinkedHashMap<>();
        int refused = 0;
        for (Object o : (List<Object>) m.get("instances")) {
            Map<String, Object> i = (Map<String, Object>) o;
            per.put((String) i.get("instance"), ((Long) i.get("connections")).intValue());
            refused += ((Long) i.get("refused")).intValue();
        }
        return new Outcome(((Long) m.get("connections")).intValue(), per, refused);
    }

    private static String form(String... kv) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == null) {
                continue;
            }
            if (b.length() > 0) {
                b.append('&');
            }
            b.append(enc(kv[i])).append('=').append(enc(kv[i + 1]));
        }
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Object post(String op, String form) throws IOException, InterruptedException {
        return send(request(op)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    private Object get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).GET().build());
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/publish/api/" + pathAndQuery))
                .timeout(timeout);
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Object send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new ApiException(r.statusCode(), r.body());
        }
        return MiniJson.parse(r.body());
    }
}
