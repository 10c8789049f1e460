package io.lhttp.it.upstream;

import static io.lhttp.it.upstream.Frames.assertError;
import static io.lhttp.it.upstream.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lhttp.it.support.SdkClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code multipart} through the packaged server and its {@code upload} example processor. */
@ExtendWith(Environment.Extension.class)
class MultipartIT {

    private static final String JSON = "content-type:application/json";

    private SdkClient client;

    @BeforeEach
    void connect() throws Exception {
        client = SdkClient.connect(Environment.get().server.wsUri());
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    @Test
    void theOriginalReadmeExample() throws Exception {
        client.send("LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2");
        assertEquals(
                frame(
                        "upload",
                        "[{\"headers\":{\"k1\":\"v1\"},\"body\":\"body1\"},{\"headers\":{\"k2\":\"v2\"},\"body\":\"body2\"}]",
                        JSON),
                client.next());
    }

    @Test
    void offsetsAreUtf8Bytes() throws Exception {
        String p1 = "名前:値\r\nk: v \r\n\r\né😀";
        String p2 = "\r\n\"quoted\"\r\nline";
        String body = p1 + p2;
        int o2 = p1.getBytes(StandardCharsets.UTF_8).length;
        client.send(frame("upload", body, "multipart:0 " + o2));
        assertEquals(
                frame(
                        "upload",
                        "[{\"headers\":{\"名前\":\"値\",\"k\":\"v\"},\"body\":\"é😀\"},"
                                + "{\"headers\":{},\"body\":\"\\\"quoted\\\"\\r\\nline\"}]",
                        JSON),
                client.next());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "multipart:x",
                "multipart:1 5",
                "multipart:0 5 3",
                "multipart:0 9 9",
                "multipart:0 99",
                "multipart:0 13",
                "multipart:0 15"
            })
    void badOffsetsAre400AndTheProcessorIsNotCalled(String header) throws Exception {
        // "k:v\r\n\r\né" + "\r\nbody": é is bytes 7..8, so 8 splits it, 9 is the second part.
        String body = "k:v\r\n\r\né\r\nbody";
        client.send(frame("upload", body, "multipart:0 9"));
        assertEquals(
                frame(
                        "upload",
                        "[{\"headers\":{\"k\":\"v\"},\"body\":\"é\"},{\"headers\":{},\"body\":\"body\"}]",
                        JSON),
                client.next());
        client.send(frame("upload", body, header));
        assertError(400, client.next());
        client.send(frame("echo", "still open"));
        assertEquals(frame("echo", "still open"), client.next(), "no upload answer came before this");
    }

    @Test
    void anOffsetInsideAUtf8CharacterIs400() throws Exception {
        client.send(frame("upload", "k:v\r\n\r\né\r\nbody", "multipart:0 8"));
        assertError(400, client.next());
    }

    @Test
    void aPartWithoutItsBlankLineIs400() throws Exception {
        client.send(frame("upload", "k:v\r\nbody", "multipart:0"));
        assertError(400, client.next());
    }

    @Test
    void moreThanMaxPartsIs413() throws Exception {
        StringBuilder body = new StringBuilder();
        StringBuilder offsets = new StringBuilder("multipart:");
        for (int i = 0; i <= Environment.MAX_PARTS; i++) {
            offsets.append(i == 0 ? "" : " ").append(body.length());
            body.append("\r\n").append(i);
        }
        client.send(frame("upload", body.toString(), offsets.toString()));
        assertError(413, client.next());
    }

    @Test
    void aMultipartMessageIsPublishedUnchanged() throws Exception {
        try (SdkClient subscriber = SdkClient.connect(Environment.get().server.wsUri())) {
            subscriber.send(frame("x", "", "subscribe:multipart-it"));
            subscriber.send(frame("echo", "ready"));
            assertEquals(frame("echo", "ready"), subscriber.next());
            String message =
                    frame("upload", "k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2", "multipart:0 14", "publish:multipart-it");
            client.send(message);
            assertEquals(message, subscriber.next());
            assertEquals(
                    frame(
                            "upload",
                            "[{\"headers\":{\"k1\":\"v1\"},\"body\":\"body1\"},{\"headers\":{\"k2\":\"v2\"},\"body\":\"body2\"}]",
                            JSON),
                    client.next());
            assertNull(client.poll());
        }
    }
}
