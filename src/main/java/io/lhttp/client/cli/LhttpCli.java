package io.lhttp.client.cli;

import io.lhttp.client.LhttpClient;
import io.lhttp.protocol.Header;
import io.lhttp.protocol.Limits;
import io.lhttp.protocol.Message;
import io.lhttp.protocol.MessageParser;
import io.lhttp.protocol.ProtocolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code java -jar target/lhttp-cli.jar [options] ws://host:port/}: reads commands or raw frames
 * from stdin, one a line, and prints what arrives (docs/CLIENTS.md "Command-line client").
 *
 * <p>Exit codes: 0 done (stdin ended and the wait is over, or {@code --count} frames arrived),
 * 1 the connection failed or the server closed it, 2 bad usage or a bad input line.
 */
public final class LhttpCli {

    static final String USAGE = """
            usage: java -jar lhttp-cli.jar [--json] [--wait MS] [--count N] [--header NAME:VALUE]... ws://host:port/
              stdin, one per line:
                subscribe CH [CH...]            unsubscribe CH [CH...]
                publish CH[,CH...] BODY         (command "publish"; body = the rest of the line)
                send COMMAND [KEY:VALUE...] [-- BODY]
                LHTTP/1.0 ...                   a raw frame, \\r \\n \\t \\\\ escapes
                # comment, empty lines ignored
              --json        one JSON object per received frame/error/close
              --wait MS     after stdin ends, keep printing for MS (default 1000), then close
              --count N     exit as soon as N frames (messages or errors) have arrived (within --wait after stdin ends)
              --header H:V  a WebSocket handshake header (e.g. Authorization:Bearer t)
              exit: 0 ok, 1 connection failed or closed by the server, 2 bad usage or input line
            or: java -jar lhttp-cli.jar api [--token T] http://host:port/ OPERATION [KEY=VALUE...]
              the server API (docs/SERVER-API.md): disconnect, subscribe, unsubscribe (POST);
              presence, history, channels, info (GET); prints the JSON answer
              e.g. api http://127.0.0.1:8080/ disconnect user=bob code=4000 "reason=logged out"
              exit: 0 answered 200, 1 refused or unreachable, 2 bad usage""";

    static final java.util.Set<String> API_POSTS = java.util.Set.of("disconnect", "subscribe", "unsubscribe");
    static final java.util.Set<String> API_GETS = java.util.Set.of("presence", "history", "channels", "info");

    private static final MessageParser RAW = new MessageParser(new Limits(64 << 20, 4096));

    private LhttpCli() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(
                args,
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
                new PrintStream(System.out, true, StandardCharsets.UTF_8),
                System.err));
    }

    static int run(String[] args, BufferedReader in, PrintStream out, PrintStream err) throws Exception {
        if (args.length > 0 && args[0].equals("api")) {
            return api(args, out, err);
        }
        boolean json = false;
        long waitMs = 1000;
        int count = -1;
        URI url = null;
        LhttpClient.Options options = new LhttpClient.Options().reconnect(false).connectTimeout(Duration.ofSeconds(10));
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--json" -> json = true;
                    case "--wait" -> waitMs = Long.parseLong(args[++i]);
                    case "--count" -> count = Integer.parseInt(args[++i]);
                    case "--header" -> {
                        String h = args[++i];
                        int colon = h.indexOf(':');
                        options.handshakeHeader(
                                h.substring(0, colon).trim(),
                                h.substring(colon + 1).trim());
                    }
                    case "-h", "--help" -> {
                        out.println(USAGE);
                        return 0;
                    }
                    default -> {
                        if (args[i].startsWith("-") || url != null) {
                            throw new IllegalArgumentException("unknown argument " + args[i]);
                        }
                        url = URI.create(args[i]);
                    }
                }
            }
            if (url == null) {
                throw new IllegalArgumentException("no URL given");
            }
        } catch (RuntimeException e) {
            err.println("lhttp-cli: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        boolean asJson = json;
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(0);
        AtomicInteger left = new AtomicInteger(count);
        AtomicReference<String> closedBy = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
        LhttpClient client;
        try {
            client = LhttpClient.connect(url, options);
        } catch (IllegalArgumentException e) {
            err.println("lhttp-cli: " + e.getMessage());
            return 2;
        }
        Object print = new Object();
        java.util.function.Consumer<Message> frame = m -> {
            synchronized (print) {
                out.println(asJson ? Json.message(m) : Readable.message(m));
            }
            if (left.get() > 0 && left.decrementAndGet() == 0) {
                done.countDown();
            }
        };
        client.onMessage(frame);
        client.onSubscribed(s -> frame.accept(s.message())); // a frame like any other to the user of a CLI
        client.onError(e -> {
            synchronized (print) {
                out.println(asJson ? Json.error(e) : "! error " + e.code() + " " + e.reason());
            }
            if (left.get() > 0 && left.decrementAndGet() == 0) {
                done.countDown();
            }
        });
        client.onClose(c -> {
            if (closing.get()) {
                return; // our own close at the end
            }
            closedBy.set(c.code() + " " + c.reason());
            synchronized (print) {
                if (asJson) {
                    out.println(Json.close(c));
                }
            }
            exit.compareAndSet(0, 1);
            done.countDown();
        });
        if (!client.awaitOpen(Duration.ofSeconds(15))) {
            err.println(
                    "lhttp-cli: could not connect to " + url + (closedBy.get() == null ? "" : ": " + closedBy.get()));
            closing.set(true);
            client.close();
            return 1;
        }
        // stdin on its own thread, so that a close by the server ends the program while it waits for input.
        CountDownLatch eof = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean badLine = new java.util.concurrent.atomic.AtomicBoolean();
        Thread reader = new Thread(
                () -> {
                    try {
                        String line;
                        while (done.getCount() > 0 && (line = in.readLine()) != null) {
                            try {
                                Message m = parseLine(line);
                                if (m != null) {
                                    client.send(m);
                                }
                            } catch (IllegalArgumentException | ProtocolException e) {
                                err.println(
                                        "lhttp-cli: " + (e instanceof ProtocolException p ? p.reason() : e.getMessage())
                                                + ": " + line);
                                badLine.set(true);
                            } catch (IllegalStateException e) {
                                break; // closed by the server meanwhile: reported below
                            }
                        }
                    } catch (IOException e) {
                        err.println("lhttp-cli: reading stdin failed: " + e);
                    }
                    eof.countDown();
                },
                "lhttp-cli-stdin");
        reader.setDaemon(true);
        reader.start();
        while (done.getCount() > 0 && eof.getCount() > 0) {
            eof.await(100, TimeUnit.MILLISECONDS);
            if (done.await(0, TimeUnit.MILLISECONDS)) {
                break;
            }
        }
        done.await(waitMs, TimeUnit.MILLISECONDS); // --count: ends earlier once the frames are in
        if (exit.get() == 1) {
            err.println("lhttp-cli: connection closed by the server: " + closedBy.get());
            closing.set(true);
            client.close();
            return 1;
        }
        closing.set(true);
        client.close();
        return badLine.get() ? 2 : 0;
    }

    /** One input line as a frame; null for nothing to send. */
    static Message parseLine(String line) throws ProtocolException {
        String t = line.strip();
        if (t.isEmpty() || t.startsWith("#")) {
            return null;
        }
        if (t.startsWith("LHTTP/")) {
            return RAW.parse(unescape(line.stripLeading()));
        }
        String[] words = t.split("\\s+", 2);
        String rest = words.length > 1 ? words[1] : "";
        switch (words[0]) {
            case "subscribe", "unsubscribe" -> {
                if (rest.isEmpty()) {
                    throw new IllegalArgumentException(words[0] + " needs a channel");
                }
                checkChannels(rest);
                return Message.of(words[0], List.of(new Header(words[0], rest)), "");
            }
            case "publish" -> {
                String[] p = rest.split("\\s+", 2);
                if (p[0].isEmpty()) {
                    throw new IllegalArgumentException("publish needs a channel");
                }
                String channels = p[0].replace(',', ' ');
                checkChannels(channels);
                return Message.of(
                        "publish", List.of(new Header("publish", channels)), p.length > 1 ? unescape(p[1]) : "");
            }
            case "send" -> {
                String body = "";
                int sep = rest.indexOf(" -- ");
                String head = rest;
                if (rest.startsWith("-- ")) {
                    head = "";
                    body = rest.substring(3);
                } else if (sep >= 0) {
                    head = rest.substring(0, sep);
                    body = rest.substring(sep + 4);
                } else if (rest.endsWith(" --")) {
                    head = rest.substring(0, rest.length() - 3);
                }
                String[] parts = head.strip().split("\\s+");
                if (parts[0].isEmpty()) {
                    throw new IllegalArgumentException("send needs a command");
                }
                List<Header> headers = new ArrayList<>();
                for (int i = 1; i < parts.length; i++) {
                    int colon = parts[i].indexOf(':');
                    if (colon <= 0) {
                        throw new IllegalArgumentException("a header is KEY:VALUE, not '" + parts[i] + "'");
                    }
                    headers.add(new Header(parts[i].substring(0, colon), parts[i].substring(colon + 1)));
                }
                return Message.of(parts[0], headers, unescape(body));
            }
            default -> throw new IllegalArgumentException("unknown command '" + words[0] + "' (see --help)");
        }
    }

    private static void checkChannels(String channels) {
        for (String c : channels.trim().split("\\s+")) {
            if (!io.lhttp.protocol.ChannelNames.isValid(c)) {
                throw new IllegalArgumentException("not a valid channel name: '" + c + "'");
            }
        }
    }

    /** {@code \r \n \t \\} escapes, so that a raw frame fits on one line. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case 'r' -> b.append('\r');
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case '\\' -> b.append('\\');
                    default -> b.append('\\').append(n);
                }
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** One line per frame: {@code command key:value ... | body} with CR, LF and backslash escaped. */
    static final class Readable {
        static String message(Message m) {
            StringBuilder b = new StringBuilder(m.command());
            for (Header h : m.headers()) {
                b.append(' ').append(escape(h.key())).append(':').append(escape(h.value()));
            }
            if (!m.body().isEmpty()) {
                b.append(" | ").append(escape(m.body()));
            }
            return b.toString();
        }

        static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\r", "\\r").replace("\n", "\\n");
        }
    }

    /** One JSON object per line. */
    /** {@code api [--token T] URL OPERATION [KEY=VALUE...]}: one server API request, its JSON answer printed. */
    static int api(String[] args, PrintStream out, PrintStream err) throws Exception {
        String token = null;
        URI base = null;
        String op = null;
        StringBuilder form = new StringBuilder();
        try {
            for (int i = 1; i < args.length; i++) {
                if (args[i].equals("--token")) {
                    token = args[++i];
                } else if (base == null) {
                    base = URI.create(args[i]);
                } else if (op == null) {
                    op = args[i];
                } else {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("not KEY=VALUE: " + args[i]);
                    }
                    if (form.length() > 0) {
                        form.append('&');
                    }
                    form.append(java.net.URLEncoder.encode(args[i].substring(0, eq), StandardCharsets.UTF_8))
                            .append('=')
                            .append(java.net.URLEncoder.encode(args[i].substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            if (base == null || op == null || !(API_POSTS.contains(op) || API_GETS.contains(op))) {
                throw new IllegalArgumentException("give a URL and one of " + new java.util.TreeSet<>(API_POSTS) + " "
                        + new java.util.TreeSet<>(API_GETS));
            }
        } catch (RuntimeException e) {
            err.println("lhttp-cli: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        boolean post = API_POSTS.contains(op);
        String query = post || form.length() == 0 ? "" : "?" + form;
        java.net.http.HttpRequest.Builder request = java.net.http.HttpRequest.newBuilder(
                        base.resolve("/publish/api/" + op + query))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (post) {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form.toString()));
        }
        try {
            java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient()
                    .send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() == 200) {
                out.println(r.body());
                return 0;
            }
            err.println("lhttp-cli: " + r.statusCode() + " " + r.body().trim());
            return 1;
        } catch (java.io.IOException e) {
            err.println("lhttp-cli: " + base + ": " + e);
            return 1;
        }
    }

    static final class Json {
        static String message(Message m) {
            StringBuilder b = new StringBuilder("{\"type\":\"message\",\"command\":")
                    .append(str(m.command()))
                    .append(",\"headers\":[");
            for (int i = 0; i < m.headers().size(); i++) {
                Header h = m.headers().get(i);
                b.append(i == 0 ? "" : ",")
                        .append('[')
                        .append(str(h.key()))
                        .append(',')
                        .append(str(h.value()))
                        .append(']');
            }
            return b.append("],\"body\":").append(str(m.body())).append('}').toString();
        }

        static String error(LhttpClient.Error e) {
            return "{\"type\":\"error\",\"code\":" + e.code() + ",\"reason\":" + str(e.reason()) + "}";
        }

        static String close(LhttpClient.Close c) {
            return "{\"type\":\"close\",\"code\":" + c.code() + ",\"reason\":" + str(c.reason()) + "}";
        }

        static String str(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    case '\r' -> b.append("\\r");
                    case '\t' -> b.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
