package io.lhttp.serverapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.lhttp.processor.ServerApi;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The server API's requests: every field's limit, and the round trip between instances. */
class ControlRequestTest {

    @Test
    void requestsTravelBetweenInstancesUnchanged() {
        for (ControlRequest r : List.of(
                ControlRequest.disconnect(ServerApi.Target.user("bob smith é"), 4000, "logged out: bye"),
                ControlRequest.disconnect(ServerApi.Target.connection("c2fe9097"), 1008, ""),
                ControlRequest.channelsOf("subscribe", ServerApi.Target.user("u"), List.of("a", "b.c", "x:y@z/1")),
                ControlRequest.channelsOf("unsubscribe", ServerApi.Target.connection("Ab+/=_.:-1"), List.of("a")),
                ControlRequest.channelsListing(10_000),
                ControlRequest.info())) {
            assertEquals(r, ControlRequest.decode(r.encode()), r.encode());
        }
    }

    @Test
    void everyFieldHasALimit() {
        ServerApi.Target bob = ServerApi.Target.user("bob");
        List<Runnable> bad = List.of(
                () -> ControlRequest.disconnect(bob, 999, ""),
                () -> ControlRequest.disconnect(bob, 1005, ""),
                () -> ControlRequest.disconnect(bob, 2999, ""),
                () -> ControlRequest.disconnect(bob, 5000, ""),
                () -> ControlRequest.disconnect(bob, 4000, "é".repeat(62)), // 124 bytes
                () -> ControlRequest.disconnect(bob, 4000, "two\nlines"),
                () -> ControlRequest.disconnect(ServerApi.Target.user(""), 4000, ""),
                () -> ControlRequest.disconnect(ServerApi.Target.user("u".repeat(257)), 4000, ""),
                () -> ControlRequest.disconnect(ServerApi.Target.user("a\u0000b"), 4000, ""),
                () -> ControlRequest.disconnect(ServerApi.Target.connection("has space"), 4000, ""),
                () -> ControlRequest.disconnect(ServerApi.Target.connection("c".repeat(129)), 4000, ""),
                () -> ControlRequest.disconnect(null, 4000, ""),
                () -> new ServerApi.Target("a", "b"),
                () -> new ServerApi.Target(null, null),
                () -> ControlRequest.channelsOf("subscribe", bob, List.of()),
                () -> ControlRequest.channelsOf("subscribe", bob, List.of("a..b")),
                () -> ControlRequest.channelsOf("subscribe", bob, List.of("a.*")),
                () -> ControlRequest.channelsOf("subscribe", bob, List.of("x".repeat(129))),
                () -> ControlRequest.channelsOf("subscribe", bob, many(257)),
                () -> ControlRequest.channelsListing(0),
                () -> ControlRequest.channelsListing(10_001),
                () -> ControlRequest.decode("op=drop-tables"));
        for (int i = 0; i < bad.size(); i++) {
            assertThrows(IllegalArgumentException.class, bad.get(i)::run, "case " + i);
        }
        ControlRequest.disconnect(bob, 4000, "é".repeat(61)); // 122 bytes: fits
        ControlRequest.disconnect(ServerApi.Target.user("u".repeat(256)), 3000, "");
        ControlRequest.channelsOf("subscribe", bob, many(256));
    }

    @Test
    void aFormIsBoundedAndStrict() {
        ServerApiResource.Form f = ServerApiResource.Form.parse("user=bob+smith&channel=a&channels=b%20c&channel=d");
        assertEquals("bob smith", f.one("user"));
        assertEquals(List.of("a", "b", "c", "d"), f.channels());
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerApiResource.Form.parse("user=a&user=b").one("user"));
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerApiResource.Form.parse("x=1").allowOnly(java.util.Set.of("user")));
        StringBuilder b = new StringBuilder("user=a");
        for (int i = 0; i < ServerApiResource.MAX_FIELDS; i++) {
            b.append("&channel=c").append(i);
        }
        assertThrows(IllegalArgumentException.class, () -> ServerApiResource.Form.parse(b.toString()));
    }

    @Test
    void answersAreJson() {
        assertEquals("\"a\\\"b\\\\c\\u000a\"", Json.string("a\"b\\c\n"));
        assertEquals(
                "{\"connections\":3,\"instances\":[{\"instance\":\"A\",\"connections\":1,\"refused\":0},"
                        + "{\"instance\":\"B\",\"connections\":2,\"refused\":1}]}",
                Json.outcome(new ServerApi.Outcome(
                        List.of(new ServerApi.InstanceOutcome("A", 1, 0), new ServerApi.InstanceOutcome("B", 2, 1)))));
    }

    private static List<String> many(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("c" + i);
        }
        return out;
    }
}
