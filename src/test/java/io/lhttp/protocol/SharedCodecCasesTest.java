package io.lhttp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The frame cases of {@code lhttp/codec-cases.txt}, which the JavaScript SDK's tests
 * ({@code src/test/js/lhttp.test.mjs}) run too: both ends of the wire parse and write alike.
 */
class SharedCodecCasesTest {

    private static final Pattern ESCAPE = Pattern.compile("\\\\(u[0-9a-fA-F]{4}|.)");

    @TestFactory
    Stream<DynamicTest> sharedCases() throws IOException {
        List<Map<String, Object>> cases = load();
        assertTrue(cases.size() >= 20, "the shared file has cases");
        MessageParser parser = new MessageParser(Limits.DEFAULTS);
        return cases.stream()
                .map(c -> DynamicTest.dynamicTest((String) c.get("case"), () -> {
                    String frame = (String) c.get("frame");
                    if (c.containsKey("error")) {
                        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.parse(frame));
                        assertEquals(Integer.parseInt((String) c.get("error")), e.code(), e.reason());
                        return;
                    }
                    Message m = parser.parse(frame);
                    assertEquals(c.get("command"), m.command());
                    assertEquals(c.get("headers"), m.headers());
                    assertEquals(c.get("body"), m.body());
                    String written = (String) c.getOrDefault("written", frame);
                    assertEquals(written, m.frame());
                    assertEquals(written, MessageWriter.write(m.command(), m.headers(), m.body()));
                    MultipartParser multipart =
                            new MultipartParser(MultipartParser.DEFAULT_MAX_PARTS, Limits.DEFAULT_MAX_HEADERS);
                    if (c.containsKey("parts-error")) {
                        ProtocolException e = assertThrows(
                                ProtocolException.class, () -> multipart.parse(m.header("multipart"), m.body()));
                        assertEquals(Integer.parseInt((String) c.get("parts-error")), e.code(), e.reason());
                    } else if (c.containsKey("parts")) {
                        List<List<Object>> parsed = multipart.parse(m.header("multipart"), m.body()).stream()
                                .map(p -> List.<Object>of(p.headers(), p.body()))
                                .toList();
                        assertEquals(c.get("parts"), parsed);
                    }
                }));
    }

    private static List<Map<String, Object>> load() throws IOException {
        String text;
        try (InputStream in = SharedCodecCasesTest.class.getResourceAsStream("/lhttp/codec-cases.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<Map<String, Object>> cases = new ArrayList<>();
        Map<String, Object> current = null;
        List<Header> headers = null;
        String key = null;
        for (String line : text.split("\n", -1)) {
            if (line.startsWith("#")) {
                continue;
            }
            if (line.isBlank()) {
                if (current != null) {
                    cases.add(current);
                }
                current = null;
                continue;
            }
            if (current == null) {
                current = new LinkedHashMap<>();
                headers = new ArrayList<>();
                current.put("headers", headers);
            }
            int space = line.indexOf(' ');
            String keyword = space < 0 ? line : line.substring(0, space);
            String value = space < 0 ? "" : unescape(line.substring(space + 1));
            switch (keyword) {
                case "header" -> key = value;
                case "value" -> headers.add(new Header(key, value));
                case "part" -> parts(current).add(new ArrayList<>(List.of(new ArrayList<Header>(), "")));
                case "part-header" -> key = value;
                case "part-value" -> partHeaders(current).add(new Header(key, value));
                case "part-body" -> lastPart(current).set(1, value);
                default -> current.put(keyword, value);
            }
        }
        if (current != null) {
            cases.add(current);
        }
        return cases;
    }

    // A part is [List<Header> headers, String body], so it compares directly with a parsed Part.
    @SuppressWarnings("unchecked")
    private static List<List<Object>> parts(Map<String, Object> c) {
        return (List<List<Object>>) c.computeIfAbsent("parts", k -> new ArrayList<List<Object>>());
    }

    private static List<Object> lastPart(Map<String, Object> c) {
        List<List<Object>> parts = parts(c);
        return parts.get(parts.size() - 1);
    }

    @SuppressWarnings("unchecked")
    private static List<Header> partHeaders(Map<String, Object> c) {
        return (List<Header>) lastPart(c).get(0);
    }

    private static String unescape(String s) {
        Matcher m = ESCAPE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String replacement = switch (e.charAt(0)) {
                case 'u' -> String.valueOf((char) Integer.parseInt(e.substring(1), 16));
                case 'r' -> "\r";
                case 'n' -> "\n";
                case 't' -> "\t";
                default -> e;
            };
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(sb).toString();
    }
}
