package io.lhttp.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The cases of {@code lhttp/fuzz-corpus.txt} as regular tests: the replies each case states are
 * the ones the project's parsers decide ({@link Oracle}, server defaults), in file order on one
 * connection. {@code EndpointFuzzIT} checks the same cases against a running server.
 */
class FuzzCorpusTest {

    @TestFactory
    Stream<DynamicTest> everyCaseGetsTheRepliesItStates() {
        List<FuzzCorpus.Case> cases = FuzzCorpus.load();
        Oracle oracle = Oracle.defaults();
        List<DynamicTest> tests = new ArrayList<>();
        // One oracle across the cases, in order, as on the server's one connection.
        for (FuzzCorpus.Case c : cases) {
            String actual = Oracle.describe(oracle.expect(c.payload(), c.binary()));
            tests.add(DynamicTest.dynamicTest(
                    c.name(), () -> assertEquals(c.expect(), actual, c.frame().show())));
        }
        return tests.stream();
    }

    @Test
    void theCorpusCoversEveryKindOfReply() {
        String all = String.join(
                " | ", FuzzCorpus.load().stream().map(FuzzCorpus.Case::expect).toList());
        for (String kind :
                new String[] {"none", "echo", "delivered", "upload", "error 400", "error 403", "error 413", "error 429"
                }) {
            assertTrue(all.contains(kind), kind);
        }
        assertTrue(FuzzCorpus.load().stream().anyMatch(FuzzCorpus.Case::binary), "binary frames");
    }

    @Test
    void unescapeReadsTheSharedEscapes() {
        assertEquals("\r\n\t\\ \u00e9\ud83d\ude00x", FuzzCorpus.unescape("\\r\\n\\t\\\\\\u0020\\u00e9\\ud83d\\ude00x"));
    }
}
