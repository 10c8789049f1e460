package io.lhttp.it.upstream;

import static io.lhttp.it.upstream.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.lhttp.it.support.SdkClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The original README's scenario: jack publishes to mike's channel while a backend records the
 * chat. One message with {@code publish} and {@code upstream} does both.
 */
@ExtendWith(Environment.Extension.class)
class RecordKeepingIT {

    @Test
    void mikeGetsTheMessageAndTheBackendRecordsIt() throws Exception {
        Environment env = Environment.get();
        Backend backend = env.backend;
        backend.clear();
        String record = backend.base() + "/allowed/chat/record";
        try (SdkClient mike = SdkClient.connect(env.server.wsUri());
                SdkClient jack = SdkClient.connect(env.server.wsUri())) {
            mike.send(frame("chat", "", "subscribe:channel_mike"));
            // Frames of one connection are handled in order: once this echo is back, mike is subscribed.
            mike.send(frame("echo", "ready"));
            assertEquals(frame("echo", "ready"), mike.next());

            String chat = frame(
                    "chat",
                    "{to:mike,from:jack,text:hello}",
                    "content-type:json",
                    "publish:channel_mike",
                    "upstream:POST " + record);
            jack.send(chat);

            assertEquals(chat, mike.next(), "mike receives jack's message exactly as sent");
            Backend.Request r = backend.next();
            assertEquals("POST", r.method());
            assertEquals("/allowed/chat/record", r.path());
            assertEquals("{to:mike,from:jack,text:hello}", r.body());
            assertEquals("json", r.headers().getFirst("content-type"));
            assertEquals("channel_mike", r.headers().getFirst("publish"));

            // Jack asked for no reply: the first frame he gets is the answer to a later question.
            jack.send(frame("echo", "anything for me?"));
            assertEquals(frame("echo", "anything for me?"), jack.next());
            jack.send(frame("chat", "x", "upstream:POST " + record, "upstream-reply:true"));
            assertEquals("x", backend.next().body());
            assertEquals(frame("chat", "got POST /allowed/chat/record x", "upstream-status:200"), jack.next());
            assertNull(jack.poll());
            assertNull(mike.poll(), "mike gets the published message once");
        }
    }
}
