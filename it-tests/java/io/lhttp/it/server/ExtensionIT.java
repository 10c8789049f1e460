package io.lhttp.it.server;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A processor, a header filter and an open observer that exist only in the test deployment
 * (ShoutProcessor, DenyFilter, OpenedObserver): users extend the server with CDI beans alone.
 */
@ExtendWith(ArquillianExtension.class)
class ExtensionIT extends ServerTestBase {

    @Test
    void theExampleEchoProcessorRepliesWithTheBody() throws Exception {
        try (SdkClient c = client()) {
            c.send("LHTTP/1.0 echo\r\n\r\nhello");
            assertEquals("LHTTP/1.0 echo\r\n\r\nhello", c.next());
        }
    }

    @Test
    void aUserProcessorRepliesAndShapesWhatIsPublished() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:loud\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            pub.send(frame("shout", "publish:loud\r\n", "hello"));
            // The processor's reply: its command and headers, the uppercased body.
            assertEquals(frame("shouted", "publish:loud\r\nvolume:loud\r\n", "HELLO"), pub.next());
            // Subscribers get the response: changed command, the processor's and the filter's headers, the request
            // body.
            assertEquals(frame("shouted", "publish:loud\r\nvolume:loud\r\nfiltered:yes\r\n", "hello"), sub.next());
        }
    }

    @Test
    void aUserFilterRefusesAndNothingIsPublished() throws Exception {
        try (SdkClient sub = client();
                SdkClient pub = client()) {
            sub.send(frame("chat", "subscribe:guarded\r\n", ""));
            assertNothingBefore(sub, "subscribed");
            pub.send(frame("chat", "publish:guarded\r\nDeny : please\r\n", "blocked"));
            assertEquals("LHTTP/1.0 error\r\ncode:403\r\nreason:denied by the test filter\r\n\r\n", pub.next());
            assertNothingBefore(sub, "refused message not published");
            pub.send(frame("chat", "subscribe:guarded\r\ndeny:1\r\n", ""));
            assertEquals("LHTTP/1.0 error\r\ncode:403\r\nreason:denied by the test filter\r\n\r\n", pub.next());
            String allowed = frame("chat", "publish:guarded\r\n", "allowed");
            pub.send(allowed);
            assertEquals(allowed, sub.next());
            assertNothingBefore(pub, "refused subscribe did not subscribe");
        }
    }

    @Test
    void filtersRunForCommandsWithoutProcessor() throws Exception {
        try (SdkClient c = client()) {
            c.send(frame("no-such-processor", "deny:x\r\n", ""));
            assertEquals("LHTTP/1.0 error\r\ncode:403\r\nreason:denied by the test filter\r\n\r\n", c.next());
        }
    }

    @Test
    void openEventsReachObserversAndAttributesLastForTheConnection() throws Exception {
        try (SdkClient c = client()) {
            c.send(frame("attribute", "", "greeted"));
            String reply = c.next();
            assertTrue(reply.startsWith(frame("attribute", "", "yes:")), reply);
            c.send(frame("attribute", "", "greeted"));
            assertEquals(reply, c.next(), "the same connection id both times");
        }
        try (SdkClient other = client()) {
            other.send(frame("attribute", "", "greeted"));
            assertTrue(other.next().startsWith(frame("attribute", "", "yes:")));
        }
    }

    @Test
    void aChannelPermissionsBeanDecidesWithTheHandshakeData() throws Exception {
        try (SdkClient stranger = client();
                SdkClient member = SdkClient.connect(ws(), java.util.Map.of("X-Member", "yes"));
                SdkClient cookieMember = SdkClient.connect(ws(), java.util.Map.of("Cookie", "a=b; member=yes"))) {
            stranger.send(frame("join", "subscribe:members-room\r\n", ""));
            assertTrue(stranger.next().startsWith("LHTTP/1.0 error\r\ncode:403\r\nreason:not permitted to subscribe"));
            member.send(frame("join", "subscribe:members-room\r\n", ""));
            assertNothingBefore(member, "member-joined");
            cookieMember.send(frame("join", "subscribe:members-room\r\n", ""));
            assertNothingBefore(cookieMember, "cookie-member-joined");

            stranger.send(frame("chat", "publish:members-room\r\n", "let me in"));
            assertTrue(stranger.next().startsWith("LHTTP/1.0 error\r\ncode:403\r\nreason:not permitted to publish"));
            String hello = frame("chat", "publish:members-room\r\n", "members only");
            cookieMember.send(hello);
            assertEquals(hello, member.next(), "the stranger's message never arrived; the member's did");
            assertEquals(hello, cookieMember.next());
        }
    }
}
