package io.lhttp.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's reader of the server API's JSON answers. */
class MiniJsonTest {

    @Test
    void readsWhatTheServerApiAnswers() {
        assertEquals(
                Map.of(
                        "connections", 3L,
                        "instances", List.of(Map.of("instance", "A\"\n\u00e9", "ok", true, "none", List.of())),
                        "top", Map.of()),
                MiniJson.parse(" {\"connections\":3,\"instances\":[{\"instance\":\"A\\\"\\n\\u00e9\",\"ok\":true,"
                        + "\"none\":[]}],\"top\":{}} "));
        assertEquals(null, MiniJson.parse("null"));
        assertEquals(-1.5, MiniJson.parse("-1.5"));
    }

    @Test
    void refusesWhatIsNotJson() {
        for (String bad : List.of("", "{", "[1,", "{\"a\" 1}", "\"open", "tru", "{} x", "@")) {
            assertThrows(RuntimeException.class, () -> MiniJson.parse(bad), bad);
        }
    }
}
