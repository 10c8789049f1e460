package io.lhttp.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lhttp.protocol.Batch;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load tool's byte-level batch frames agree with the protocol core's (PROTOCOL.md §7), for any text. */
class BatchFramesTest {

    private static final List<String> MESSAGES = List.of(
            "LHTTP/1.0 a\r\n\r\nplain", "LHTTP/1.0 b\r\n\r\né€😀\r\n12\nx", "LHTTP/1.0 c\r\n\r\n" + "😀".repeat(40));

    @Test
    void packedBytesAreTheCoresBatchAndUnpackBack() throws Exception {
        BatchFrames.Packer packer = new BatchFrames.Packer(1 << 20);
        StringBuilder core = new StringBuilder();
        for (String m : MESSAGES) {
            packer.add(m.getBytes(StandardCharsets.UTF_8));
            Batch.append(core, m);
        }
        byte[] packed = packer.take();
        assertEquals(core.toString(), new String(packed, StandardCharsets.UTF_8));
        List<String> unpacked = new ArrayList<>();
        BatchFrames.unpacking((b, o, l) -> unpacked.add(new String(b, o, l, StandardCharsets.UTF_8)))
                .onText(packed, 0, packed.length);
        assertEquals(MESSAGES, unpacked);
    }

    @Test
    void aLoneFrameIsSentAsItIsAndTheBoundHolds() {
        BatchFrames.Packer packer = new BatchFrames.Packer(40);
        byte[] m = "LHTTP/1.0 a\r\n\r\n12345".getBytes(StandardCharsets.UTF_8); // 20 units, record 23
        assertEquals(true, packer.fits(m));
        packer.add(m);
        assertEquals(false, packer.fits(m), "two records of 23 pass 40");
        assertArrayEquals(m, packer.take());
        assertEquals(true, packer.isEmpty());
    }
}
