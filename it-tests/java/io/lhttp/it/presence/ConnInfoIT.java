package io.lhttp.it.presence;

import static io.lhttp.it.support.Frames.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lhttp.it.support.SdkClient;
import io.lhttp.it.support.UberJarServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A connection's public info (docs/PROTOCOL.md "Connection info") on the packaged server: set by
 * the client in the handshake or on a frame, shown by presence when asked ({@code presence-info:true},
 * which also names the asker) and on join/leave frames, bounded and validated; answers without
 * {@code presence-info} stay exactly as before.
 */
class ConnInfoIT {

    private static UberJarServer server;

    @BeforeAll
    static void start() {
        server = UberJarServer.start("-Dlhttp.presence.notify=notify-*", "-Dlhttp.presence.info-max-bytes=64");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static SdkClient withInfo(String json) throws Exception {
        return SdkClient.connect(
                URI.create(server.wsUri() + "?conn-info=" + URLEncoder.encode(json, StandardCharsets.UTF_8)));
    }

    /** Frames until the next one that is not a join/leave, which is returned. */
    static String nextAnswer(SdkClient c) throws Exception {
        String f = c.next();
        while (f.startsWith("LHTTP/1.0 presence\r\nevent:")) {
            f = c.next();
        }
        return f;
    }

    static void sync(SdkClient c) throws Exception {
        c.send(frame("echo", "", "sync"));
        assertEquals(frame("echo", "", "sync"), nextAnswer(c));
    }

    static String header(String frame, String name) {
        int at = frame.indexOf("\r\n" + name + ":");
        if (at < 0) {
            return null;
        }
        at += name.length() + 3;
        return frame.substring(at, frame.indexOf("\r\n", at));
    }

    static String body(String frame) {
        return frame.substring(frame.indexOf("\r\n\r\n") + 4);
    }

    /** This connection's id, from the {@code you} header of a presence answer. */
    static String idOf(SdkClient c, String channel) throws Exception {
        c.send(frame("who", "presence:" + channel + "\r\npresence-info:true\r\n", ""));
        String answer = nextAnswer(c);
        String you = header(answer, "you");
        assertTrue(you != null && !you.isEmpty(), answer);
        return you;
    }

    @Test
    void presenceShowsInfoOnlyWhenAskedAndNamesTheAsker() throws Exception {
        try (SdkClient ann = withInfo("{\"nick\":\"Ann\"}");
                SdkClient ben = SdkClient.connect(server.wsUri())) {
            ben.send(frame("nick", "conn-info: { \"nick\" : \"Ben\" }\r\nsubscribe:room-a\r\n", ""));
            sync(ben);
            ann.send(frame("join", "subscribe:room-a\r\n", ""));
            sync(ann);
            String annId = idOf(ann, "room-a");
            String benId = idOf(ben, "room-a");

            ann.send(frame("who", "presence:room-a\r\n", ""));
            String plain = nextAnswer(ann);
            assertEquals(
                    Set.of(annId, benId),
                    Set.of(body(plain).split("\n")),
                    "without presence-info the lines are ids as before: " + plain);
            assertEquals(null, header(plain, "you"));
            assertTrue(plain.startsWith("LHTTP/1.0 presence\r\nchannel:room-a\r\ncount:2\r\n\r\n"), plain);

            ann.send(frame("who", "presence:room-a\r\npresence-info:true\r\n", ""));
            String rich = nextAnswer(ann);
            assertEquals(annId, header(rich, "you"));
            assertEquals(
                    Set.of(annId + "\t{\"nick\":\"Ann\"}", benId + "\t{\"nick\":\"Ben\"}"),
                    Set.of(body(rich).split("\n")),
                    rich);
        }
    }

    @Test
    void joinAndLeaveFramesCarryTheMembersInfo() throws Exception {
        try (SdkClient carl = withInfo("{\"nick\":\"Carl\"}")) {
            carl.send(frame("join", "subscribe:notify-1\r\n", ""));
            sync(carl);
            String doraId;
            try (SdkClient dora = withInfo("{\"nick\":\"Dora\"}")) {
                dora.send(frame("join", "subscribe:notify-1\r\n", ""));
                doraId = idOf(dora, "notify-1");
                String join = carl.next();
                while (!join.contains("member:" + doraId + "\r\n")) {
                    join = carl.next();
                }
                assertTrue(join.startsWith("LHTTP/1.0 presence\r\nevent:join\r\n"), join);
                assertEquals("{\"nick\":\"Dora\"}", header(join, "member-info"));
            }
            String leave = carl.next();
            assertTrue(leave.startsWith("LHTTP/1.0 presence\r\nevent:leave\r\n"), leave);
            assertEquals(doraId, header(leave, "member"));
            assertEquals("{\"nick\":\"Dora\"}", header(leave, "member-info"));
        }
        try (SdkClient eve = SdkClient.connect(server.wsUri())) {
            eve.send(frame("join", "subscribe:notify-2\r\n", ""));
            String join = eve.next();
            assertTrue(join.startsWith("LHTTP/1.0 presence\r\nevent:join\r\n"), join);
            assertFalse(join.contains("member-info"), "a connection without info: the frame as before: " + join);
        }
    }

    @Test
    void infoIsBoundedValidatedAndNeverPublished() throws Exception {
        try (SdkClient fay = SdkClient.connect(server.wsUri())) {
            String tooLong = "{\"nick\":\"" + "x".repeat(60) + "\"}";
            fay.send(frame("nick", "conn-info:" + tooLong + "\r\nsubscribe:room-f\r\n", ""));
            String refused = nextAnswer(fay);
            assertTrue(refused.startsWith("LHTTP/1.0 error\r\ncode:413\r\n"), refused);
            fay.send(frame("nick", "conn-info:{nick:Fay}\r\n", ""));
            String notJson = nextAnswer(fay);
            assertTrue(notJson.startsWith("LHTTP/1.0 error\r\ncode:400\r\n"), notJson);

            fay.send(frame("who", "presence:room-f\r\n", ""));
            assertTrue(
                    nextAnswer(fay).startsWith("LHTTP/1.0 presence\r\nchannel:room-f\r\ncount:0\r\n"),
                    "the refused frame's subscribe did not happen");

            fay.send(frame("join", "subscribe:room-f\r\n", ""));
            sync(fay);
            fay.send(frame("chat", "publish:room-f\r\nconn-info:{\"nick\":\"Fay\"}\r\n", "hi"));
            assertEquals(frame("chat", "publish:room-f\r\n", "hi"), nextAnswer(fay), "conn-info is not published");
            String id = idOf(fay, "room-f");
            fay.send(frame("who", "presence:room-f\r\npresence-info:true\r\n", ""));
            assertEquals(
                    List.of(id + "\t{\"nick\":\"Fay\"}"),
                    List.of(body(nextAnswer(fay)).split("\n")));
        }
        try (SdkClient bad = withInfo("not json")) {
            String refused = bad.next();
            assertTrue(
                    refused.startsWith("LHTTP/1.0 error\r\ncode:400\r\n"),
                    "a bad handshake info is answered: " + refused);
        }
    }
}
