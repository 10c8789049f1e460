// Unit tests of webapp/lhttp.js, run by `node --test` in Maven's test phase.
// The codec cases mirror the Java codec's (PROTOCOL.md §1, §2, §6); the client tests drive the
// reconnect logic through a scripted WebSocket and Node's mock timers, so nothing here sleeps.
import { test, describe, beforeEach, afterEach, mock } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
    BATCH_SUBPROTOCOL, Client, LhttpFormatError, Message, decode, encode, isBatch, isValidChannel, joinBatch, multipart,
    parseMultipart, splitBatch,
} from "../../../webapp/lhttp.js";

const pairs = (m) => m.headers.map(([k, v]) => [k, v]);

// The frame cases the Java codec is tested with too (SharedCodecCasesTest).
function sharedCases() {
    const unescape = (s) => s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e) =>
        e[0] === "u" ? String.fromCharCode(parseInt(e.slice(1), 16)) : { r: "\r", n: "\n", t: "\t", "\\": "\\" }[e]);
    const text = readFileSync(new URL("../resources/lhttp/codec-cases.txt", import.meta.url), "utf8");
    const cases = [];
    let current = null;
    for (const line of text.split("\n")) {
        if (line.startsWith("#")) continue;
        if (line.trim() === "") {
            if (current) cases.push(current);
            current = null;
            continue;
        }
        const space = line.indexOf(" ");
        const keyword = space < 0 ? line : line.slice(0, space);
        const value = space < 0 ? "" : unescape(line.slice(space + 1));
        current ??= { headers: [] };
        if (keyword === "header") current.headers.push([value]);
        else if (keyword === "value") current.headers.at(-1).push(value);
        else if (keyword === "part") (current.parts ??= []).push({ headers: [], body: "" });
        else if (keyword === "part-header") current.parts.at(-1).headers.push([value]);
        else if (keyword === "part-value") current.parts.at(-1).headers.at(-1).push(value);
        else if (keyword === "part-body") current.parts.at(-1).body = value;
        else current[keyword] = value;
    }
    if (current) cases.push(current);
    return cases;
}

describe("codec: cases shared with the Java codec", () => {
    const cases = sharedCases();
    test("the shared file has cases", () => assert.ok(cases.length >= 20));
    for (const c of cases) {
        test(c.case, () => {
            if (c.error) {
                assert.throws(() => decode(c.frame), LhttpFormatError);
                return;
            }
            const m = decode(c.frame);
            assert.equal(m.command, c.command);
            assert.deepEqual(pairs(m), c.headers);
            assert.equal(m.body, c.body);
            assert.equal(encode(m), c.written ?? c.frame);
            assert.equal(encode({ command: c.command, headers: c.headers, body: c.body }), c.written ?? c.frame);
            if (c["parts-error"]) {
                assert.throws(() => m.parts(), LhttpFormatError);
            } else if (c.parts) {
                assert.deepEqual(m.parts().map((p) => ({ headers: pairs(p), body: p.body })), c.parts);
                const rebuilt = multipart(c.parts);
                assert.equal(rebuilt.offsets, m.header("multipart"));
                assert.equal(rebuilt.body, m.body);
            }
        });
    }
});

describe("codec: PROTOCOL.md §6 examples, byte for byte", () => {
    test("publish example", () => {
        const text = "LHTTP/1.0 chat\r\ncontent-type:json\r\npublish:channel_jack\r\n\r\n{to:jack,from:mike}";
        const m = decode(text);
        assert.equal(m.command, "chat");
        assert.deepEqual(pairs(m), [["content-type", "json"], ["publish", "channel_jack"]]);
        assert.equal(m.body, "{to:jack,from:mike}");
        assert.equal(encode(m), text);
    });

    test("multipart example", () => {
        const text = "LHTTP/1.0 upload\r\nmultipart:0 14\r\n\r\nk1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2";
        const m = decode(text);
        assert.equal(m.header("multipart"), "0 14");
        const parts = m.parts();
        assert.equal(parts.length, 2);
        assert.deepEqual(pairs(parts[0]), [["k1", "v1"]]);
        assert.equal(parts[0].body, "body1");
        assert.deepEqual(pairs(parts[1]), [["k2", "v2"]]);
        assert.equal(parts[1].body, "body2");
        assert.equal(encode(m), text);
        assert.deepEqual(multipart([{ headers: { k1: "v1" }, body: "body1" }, { headers: { k2: "v2" }, body: "body2" }]),
            { offsets: "0 14", body: "k1:v1\r\n\r\nbody1k2:v2\r\n\r\nbody2" });
    });
});

describe("codec: headers", () => {
    test("a header splits at its first colon", () => {
        const text = "LHTTP/1.0 chat\r\nupstream:POST http://h/x\r\ntime:12:30:00\r\n\r\n";
        const m = decode(text);
        assert.deepEqual(pairs(m), [["upstream", "POST http://h/x"], ["time", "12:30:00"]]);
        assert.equal(m.header("upstream"), "POST http://h/x");
        assert.equal(encode(m), text);
    });

    test("keys and values are kept as sent; lookup ignores case and spaces, the last one wins", () => {
        const text = "LHTTP/1.0 chat\r\n Nick : mike \r\nnick:jack\r\nEmpty:\r\n\r\nbody";
        const m = decode(text);
        assert.deepEqual(pairs(m), [[" Nick ", " mike "], ["nick", "jack"], ["Empty", ""]]);
        assert.equal(m.header("NICK"), "jack");
        assert.equal(m.header("empty"), "");
        assert.equal(m.header("missing"), undefined);
        assert.equal(encode(m), text);
    });

    test("header order and repeats survive a round trip", () => {
        const m = new Message("c", [["b", "1"], ["a", "2"], ["b", "3"]], "");
        assert.equal(m.toString(), "LHTTP/1.0 c\r\nb:1\r\na:2\r\nb:3\r\n\r\n");
        assert.deepEqual(pairs(decode(m.toString())), [["b", "1"], ["a", "2"], ["b", "3"]]);
    });

    test("headers from an object, a Map or pairs", () => {
        const expected = "LHTTP/1.0 c\r\nx:1\r\ny:true\r\n\r\nb";
        assert.equal(encode({ command: "c", headers: { x: 1, y: true }, body: "b" }), expected);
        assert.equal(encode({ command: "c", headers: new Map([["x", "1"], ["y", "true"]]), body: "b" }), expected);
        assert.equal(encode({ command: "c", headers: [["x", "1"], ["y", "true"]], body: "b" }), expected);
    });
});

describe("codec: encoding", () => {
    test("the encoder refuses what would change the frame's meaning", () => {
        assert.throws(() => encode({ command: "a b" }), TypeError);
        assert.throws(() => encode({ command: "" }), TypeError);
        assert.throws(() => encode({ command: "c", headers: { nick: "x\r\npublish:all" } }), TypeError);
        assert.throws(() => encode({ command: "c", headers: { "a:b": "v" } }), TypeError);
        assert.throws(() => encode({ command: "c", headers: { "": "v" } }), TypeError);
        assert.throws(() => encode({ command: "c", headers: { "a\r\nb": "v" } }), TypeError);
        assert.equal(encode({ command: "c", headers: { k: "a\nb" } }), "LHTTP/1.0 c\r\nk:a\nb\r\n\r\n");
    });
});

describe("codec: multipart with UTF-8 byte offsets", () => {
    test("offsets count bytes, not UTF-16 units", () => {
        // "k:é\r\n\r\n日本" is 14 bytes (é = 2, 日 = 3, 本 = 3) but 10 UTF-16 units.
        const mp = multipart([{ headers: { k: "é" }, body: "日本" }, { body: "😀x" }, { headers: [["a", "1"], ["b", "2:3"]], body: "" }]);
        assert.equal(mp.offsets, "0 14 21");
        assert.equal(mp.body, "k:é\r\n\r\n日本\r\n😀xa:1\r\nb:2:3\r\n\r\n");
        const parts = parseMultipart(mp.offsets, mp.body);
        assert.deepEqual(parts.map(pairs), [[["k", "é"]], [], [["a", "1"], ["b", "2:3"]]]);
        assert.deepEqual(parts.map((p) => p.body), ["日本", "😀x", ""]);
        assert.equal(parts[2].header("b"), "2:3");
    });

    test("a part that starts with CRLF has no headers; part bodies may hold CRLF", () => {
        assert.throws(() => parseMultipart("0", "k:v\r\n"), LhttpFormatError, "a part needs its blank line");
        const parts = parseMultipart("0 10", "\r\nab\r\n\r\ncdk:v\r\n\r\n\r\nz");
        assert.deepEqual(parts.map(pairs), [[], [["k", "v"]]]);
        assert.deepEqual(parts.map((p) => p.body), ["ab\r\n\r\ncd", "\r\nz"]);
    });

    test("a whole multipart frame round-trips", () => {
        const mp = multipart([{ headers: { "content-type": "text/json" }, body: '{"name":"ü.txt"}' }, { headers: { "content-type": "text/plain" }, body: "hello\r\nwörld" }]);
        const text = encode({ command: "upload", headers: { multipart: mp.offsets }, body: mp.body });
        const parts = decode(text).parts();
        assert.deepEqual(parts.map((p) => p.header("content-type")), ["text/json", "text/plain"]);
        assert.deepEqual(parts.map((p) => p.body), ['{"name":"ü.txt"}', "hello\r\nwörld"]);
    });

    test("bad offsets are refused", () => {
        const body = "a:1\r\n\r\nébody";
        for (const offsets of ["1", "0 0", "0 9 8", "0 99", "0 x", "0 -1", "0 8"]) {
            assert.throws(() => parseMultipart(offsets, body), LhttpFormatError, offsets);
        }
        assert.doesNotThrow(() => parseMultipart("0", body));
        assert.throws(() => multipart([]), RangeError);
    });
});

test("channel names follow PROTOCOL.md §1", () => {
    for (const ok of ["chatroom", "a", "room-1_x.y:z@h/p", "x".repeat(128)]) assert.ok(isValidChannel(ok), ok);
    for (const no of ["", "x".repeat(129), ".a", "a.", "a..b", "a b", "a*", "a>", "é"]) assert.ok(!isValidChannel(no), no);
});

test("random frames round-trip exactly", () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const alphabet = ["a", "Z", "0", ":", " ", "-", "é", "日", "😀", "\t", "/"];
    const bodyAlphabet = [...alphabet, "\r\n", "\r", "\n", "\r\n\r\n"];
    const word = (chars, max) => Array.from({ length: Math.floor(random() * max) }, () => chars[Math.floor(random() * chars.length)]).join("");
    for (let i = 0; i < 500; i++) {
        const command = "c" + word(["a", "1", "_", "é", "/"], 6);
        const headers = Array.from({ length: Math.floor(random() * 5) }, () => ["k" + word(alphabet.filter((c) => c !== ":"), 5), word(alphabet, 10)]);
        const body = word(bodyAlphabet, 20);
        const text = encode({ command, headers, body });
        const m = decode(text);
        assert.equal(m.command, command);
        assert.deepEqual(pairs(m), headers);
        assert.equal(m.body, body);
        assert.equal(encode(m), text);
    }
});

// A WebSocket whose server side the test scripts.
class FakeSocket {
    static all = [];
    constructor(url, protocols) {
        this.url = url;
        this.protocols = protocols;
        this.protocol = "";
        this.sent = [];
        this.readyState = 0;
        FakeSocket.all.push(this);
    }
    send(text) {
        if (this.readyState !== 1) throw new Error("send on a socket that is not open");
        this.sent.push(text);
    }
    close(code = 1000, reason = "") {
        this.readyState = 3;
        this.onclose?.({ code, reason, wasClean: true });
    }
    accept(protocol = "") {
        this.protocol = protocol;
        this.readyState = 1;
        this.onopen?.({});
    }
    receive(text) {
        this.onmessage?.({ data: text });
    }
    drop(code = 1006) {
        this.readyState = 3;
        this.onclose?.({ code, reason: "", wasClean: false });
    }
    static last() {
        return FakeSocket.all[FakeSocket.all.length - 1];
    }
}

// Lets pending promise callbacks run (mocked timers do not drive them).
async function flush() {
    for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe("client", () => {
    let events;
    const client = (options = {}) => {
        const c = new Client("ws://test/", { WebSocket: FakeSocket, ...options });
        for (const type of ["open", "message", "error", "close", "reconnecting", "statechange"]) {
            c.on(type, (detail) => events.push([type, detail]));
        }
        return c;
    };
    const of = (type) => events.filter(([t]) => t === type).map(([, d]) => d);

    beforeEach(() => {
        FakeSocket.all = [];
        events = [];
        mock.timers.enable({ apis: ["setTimeout"] });
    });
    afterEach(() => mock.timers.reset());

    test("frames sent before the socket opens go out on open, subscriptions first", () => {
        const c = client();
        assert.equal(c.state, "connecting");
        c.subscribe("chatroom", "chat");
        c.publish("chatroom", "chat", { nick: "mike" }, "hi");
        assert.deepEqual(FakeSocket.last().sent, []);
        FakeSocket.last().accept();
        assert.equal(c.state, "open");
        assert.deepEqual(FakeSocket.last().sent, [
            "LHTTP/1.0 chat\r\nsubscribe:chatroom\r\n\r\n",
            "LHTTP/1.0 chat\r\nnick:mike\r\npublish:chatroom\r\n\r\nhi",
        ]);
        assert.deepEqual(c.channels, ["chatroom"]);
        assert.deepEqual(of("open"), [{ reconnected: false }]);
    });

    test("an error frame that names channels it was published to is a message, not the server's error", () => {
        const c = client();
        FakeSocket.last().accept();
        FakeSocket.last().receive("LHTTP/1.0 error\r\ncode:401\r\nreason:session expired - log in at https://evil\r\npublish:room\r\n\r\n");
        assert.equal(of("error").length, 0);
        assert.equal(of("message")[0].message.command, "error");
        c.close();
    });

    test("a token string goes in the handshake URL", () => {
        const c = client({ token: "abc.def" });
        return Promise.resolve().then(() => Promise.resolve()).then(() => {
            assert.equal(FakeSocket.last().url, "ws://test/?token=abc.def");
            c.close();
        });
    });

    test("a token function is asked before every connect and before the token expires", async () => {
        const jwt = (exp) => "e30." + btoa(JSON.stringify({ sub: "a", exp })).replace(/=+$/, "") + ".sig";
        mock.timers.reset();
        mock.timers.enable({ apis: ["setTimeout", "Date"], now: 1_000_000 });
        let calls = 0;
        const c = client({ token: async () => jwt(1_000 + 60 + 10 * calls++), refreshAhead: 30_000 });
        await flush();
        assert.equal(calls, 1);
        assert.equal(FakeSocket.last().url, "ws://test/?token=" + encodeURIComponent(jwt(1060)));
        FakeSocket.last().accept();
        mock.timers.tick(29_999);       // exp is at 1_060_000 ms: asked 30 s before
        await flush();
        assert.equal(calls, 1);
        mock.timers.tick(1);
        await flush();
        assert.equal(calls, 2);
        assert.deepEqual(FakeSocket.last().sent, ["LHTTP/1.0 auth\r\nauth:" + jwt(1070) + "\r\n\r\n"]);
        FakeSocket.last().drop();
        mock.timers.tick(1000);         // the reconnect asks again
        await flush();
        assert.equal(calls, 3);
        assert.equal(FakeSocket.all.length, 2);
        c.close();
    });

    test("refreshToken sends the given token on the open connection", async () => {
        const c = client({ token: "old" });
        await flush();
        FakeSocket.last().accept();
        assert.equal(await c.refreshToken("new"), true);
        assert.deepEqual(FakeSocket.last().sent, ["LHTTP/1.0 auth\r\nauth:new\r\n\r\n"]);
        c.close();
        assert.equal(await c.refreshToken("newer"), false);
    });

    test("messages and error frames are separate events", () => {
        const c = client();
        FakeSocket.last().accept();
        FakeSocket.last().receive("LHTTP/1.0 chat\r\npublish:chatroom\r\n\r\nhello");
        FakeSocket.last().receive("LHTTP/1.0 error\r\ncode:400\r\nreason:bad channel name\r\n\r\n");
        FakeSocket.last().receive("garbage");
        const [message] = of("message");
        assert.equal(message.message.body, "hello");
        const errors = of("error");
        assert.equal(errors.length, 2);
        assert.equal(errors[0].code, 400);
        assert.equal(errors[0].reason, "bad channel name");
        assert.equal(errors[1].code, 0);
        c.close();
    });

    test("after a drop it backs off with jitter, reconnects, re-subscribes and flushes the queue", () => {
        const c = client({ initialDelay: 100, maxDelay: 1000 });
        FakeSocket.last().accept();
        c.subscribe("a b", "chat", { token: "t1", publish: "ignored" });
        c.subscribe("c");
        c.unsubscribe("b");
        assert.deepEqual(c.channels, ["a", "c"]);

        FakeSocket.last().drop();
        assert.equal(c.state, "reconnecting");
        c.publish("a", "chat", null, "sent while away");
        // Attempts 1..6: ceilings 100, 200, 400, 800, 1000 (capped), 1000; jitter takes off up to half.
        const ceilings = [100, 200, 400, 800, 1000, 1000];
        for (const [i, ceiling] of ceilings.entries()) {
            const { delay } = of("reconnecting").at(-1);
            assert.ok(delay >= ceiling / 2 && delay <= ceiling, `delay ${delay} for ceiling ${ceiling}`);
            const sockets = FakeSocket.all.length;
            mock.timers.tick(delay - 1);
            assert.equal(FakeSocket.all.length, sockets, "no attempt before the delay");
            mock.timers.tick(1);
            assert.equal(FakeSocket.all.length, sockets + 1);
            if (i < ceilings.length - 1) FakeSocket.last().drop();
        }
        assert.deepEqual(of("reconnecting").map((r) => r.attempt), [1, 2, 3, 4, 5, 6]);

        FakeSocket.last().accept();
        assert.equal(c.state, "open");
        assert.deepEqual(FakeSocket.last().sent, [
            "LHTTP/1.0 chat\r\ntoken:t1\r\nsubscribe:a\r\n\r\n",
            "LHTTP/1.0 subscribe\r\nsubscribe:c\r\n\r\n",
            "LHTTP/1.0 chat\r\npublish:a\r\n\r\nsent while away",
        ]);
        assert.deepEqual(of("open").at(-1), { reconnected: true });

        // A later drop starts the backoff from the beginning again.
        FakeSocket.last().drop();
        assert.equal(of("reconnecting").at(-1).attempt, 1);
        c.close();
    });

    test("close() ends it: no reconnect, no more sends", () => {
        const c = client();
        FakeSocket.last().accept();
        c.close();
        assert.equal(c.state, "closed");
        assert.deepEqual(of("close").map((e) => e.code), [1000]);
        mock.timers.tick(60000);
        assert.equal(FakeSocket.all.length, 1);
        assert.throws(() => c.send("chat"), /closed/);
    });

    test("without reconnect a drop closes it", () => {
        const c = client({ reconnect: false });
        FakeSocket.last().accept();
        FakeSocket.last().drop();
        assert.equal(c.state, "closed");
        mock.timers.tick(60000);
        assert.equal(FakeSocket.all.length, 1);
    });

    test("the queue is bounded", () => {
        const c = client({ maxQueue: 2 });
        c.send("a");
        c.send("b");
        assert.throws(() => c.send("c"), /queue full/);
        c.close();
    });

    test("bad channel names fail at the call site", () => {
        const c = client();
        assert.throws(() => c.subscribe("a*"), TypeError);
        assert.throws(() => c.publish("", "chat"), TypeError);
        c.close();
    });

    test("a listener that throws does not stop the others", () => {
        const c = client();
        const seen = [];
        const reported = [];
        globalThis.reportError = (error) => reported.push(error.message);
        c.on("message", () => { throw new Error("app bug"); });
        c.on("message", ({ message }) => seen.push(message.body));
        FakeSocket.last().accept();
        FakeSocket.last().receive("LHTTP/1.0 chat\r\n\r\nx");
        assert.deepEqual(seen, ["x"]);
        assert.deepEqual(reported, ["app bug"]);
        delete globalThis.reportError;
        c.close();
    });

    test("request() resolves with the answer carrying its id, rejects on its error frame or a timeout", async () => {
        const c = client();
        FakeSocket.last().accept();
        const echo = c.request("echo", { k: "v" }, "hi");
        const bad = c.request("chat", { subscribe: "a..b" });
        const silent = c.request("chat", null, "", { timeout: 50 });
        const [e, b, s] = FakeSocket.last().sent.map((t) => decode(t).header("request-id"));
        assert.match(e, /^[A-Za-z0-9_.:-]{1,64}$/);
        assert.equal(new Set([e, b, s]).size, 3, "ids are unique");
        FakeSocket.last().receive("LHTTP/1.0 chat\r\nrequest-id:someone-else\r\n\r\nnot mine");
        FakeSocket.last().receive(`LHTTP/1.0 echo\r\nk:v\r\nrequest-id:${e}\r\n\r\nhi`);
        FakeSocket.last().receive(`LHTTP/1.0 error\r\ncode:400\r\nreason:bad channel name\r\nrequest-id:${b}\r\n\r\n`);
        assert.equal((await echo).body, "hi");
        await assert.rejects(bad, (err) => err.code === 400 && err.reason === "bad channel name");
        mock.timers.tick(50);
        await assert.rejects(silent, (err) => err.code === 0);
        assert.equal(of("message").length, 2, "answers are still messages for the app");
        c.close();
    });

    test("with recover, a reconnect re-subscribes from the last position and tells whether all was recovered", () => {
        const c = client({ recover: true, initialDelay: 10, jitter: 0 });
        const recovered = [];
        c.on("recovered", (d) => recovered.push(d));
        FakeSocket.last().accept();
        c.subscribe("room", "chat");
        c.subscribe("other", "chat");
        assert.deepEqual(FakeSocket.last().sent, [
            "LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:room\r\n\r\n",
            "LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:other\r\n\r\n"]);
        FakeSocket.last().receive("LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:ep:4\r\n\r\n");
        FakeSocket.last().receive("LHTTP/1.0 subscribed\r\nchannel:other\r\n\r\n"); // no history there
        FakeSocket.last().receive("LHTTP/1.0 chat\r\nposition:ep:5\r\npublish:room\r\nposition:ep:999\r\n\r\nfive");
        assert.deepEqual([...c.positions], [["room", "ep:5"]]);
        assert.equal(of("message").length, 1, "the subscribed answers are not app messages");
        FakeSocket.last().drop();
        mock.timers.tick(10);
        FakeSocket.last().accept();
        assert.deepEqual(FakeSocket.last().sent, [
            "LHTTP/1.0 chat\r\nsince:ep:5\r\nsubscribe:room\r\n\r\n",
            "LHTTP/1.0 chat\r\npositions:true\r\nsubscribe:other\r\n\r\n"]);
        FakeSocket.last().receive("LHTTP/1.0 chat\r\nposition:ep:6\r\npublish:room\r\n\r\nmissed");
        FakeSocket.last().receive("LHTTP/1.0 subscribed\r\nchannel:room\r\nposition:ep:6\r\nrecovered:true\r\n\r\n");
        FakeSocket.last().receive("LHTTP/1.0 subscribed\r\nchannel:other\r\n\r\n");
        assert.deepEqual(recovered, [{ channel: "room", recovered: true }, { channel: "other", recovered: false }]);
        assert.equal(of("message").at(-1).message.body, "missed");
        c.close();
    });
});

describe("batch frames (PROTOCOL.md §7)", () => {
    test("the spec's example, byte for byte", () => {
        const a = "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi";
        const b = "LHTTP/1.0 chat\r\npublish:room\r\n\r\n\r\n12\nLHTTP/1.0 x";
        const frame = joinBatch([a, b]);
        assert.equal(frame, "34\nLHTTP/1.0 chat\r\npublish:room\r\n\r\nhi48\nLHTTP/1.0 chat\r\npublish:room\r\n\r\n\r\n12\nLHTTP/1.0 x");
        assert.ok(isBatch(frame));
        assert.ok(!isBatch(a));
        assert.deepEqual(splitBatch(frame), [a, b]);
        assert.deepEqual(splitBatch(joinBatch(["é€😀\r\n"])), ["é€😀\r\n"], "lengths in UTF-16 code units");
    });

    test("malformed batches are refused", () => {
        for (const bad of ["", "3", "3x\nabc", "\nabc", "0\n", "03\nabc", "4\nabc", "3\nabc4\nab", "3\nabcL", "99999999999\nabc"]) {
            assert.throws(() => splitBatch(bad), LhttpFormatError, JSON.stringify(bad));
        }
    });

    test("seeded round trips of any text", () => {
        let seed = 12345;
        const random = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
        const alphabet = ["L", "H", "1", "0", "\r", "\n", ":", " ", "é", "😀", "9"];
        for (let round = 0; round < 500; round++) {
            const texts = [];
            for (let i = 0, n = 1 + random(10); i < n; i++) {
                let t = "";
                for (let j = 0, m = 1 + random(50); j < m; j++) t += alphabet[random(alphabet.length)];
                texts.push(t);
            }
            assert.deepEqual(splitBatch(joinBatch(texts)), texts, "seed round " + round);
        }
    });
});

describe("client with batch frames", () => {
    let messages;
    let errors;
    const client = (options = {}) => {
        const c = new Client("ws://test/", { WebSocket: FakeSocket, ...options });
        c.on("message", ({ message }) => messages.push(encode(message)));
        c.on("error", (e) => errors.push(e));
        return c;
    };
    beforeEach(() => {
        FakeSocket.all = [];
        messages = [];
        errors = [];
    });

    test("offers lhttp-batch.1 by default, nothing with batching:false", () => {
        client().close();
        assert.deepEqual(FakeSocket.last().protocols, [BATCH_SUBPROTOCOL]);
        client({ batching: false }).close();
        assert.equal(FakeSocket.last().protocols, undefined);
    });

    test("a batch frame from a server that took the offer arrives as single messages, in order", () => {
        const c = client();
        FakeSocket.last().accept(BATCH_SUBPROTOCOL);
        const sent = [];
        for (let i = 0; i < 50; i++) sent.push(encode({ command: "chat", headers: [["publish", "room"]], body: "m" + i + "\r\n7\nLHTTP" }));
        FakeSocket.last().receive(sent[0]);
        FakeSocket.last().receive(joinBatch(sent.slice(1)));
        assert.deepEqual(messages, sent);
        FakeSocket.last().receive("5\nLHTTP12\nx");
        assert.equal(errors.length, 1, "a malformed batch is one error");
        assert.equal(messages.length, 50, "and none of it is delivered");
        c.close();
    });

    test("without the server's consent a frame that starts with a digit is not unpacked", () => {
        const c = client();
        FakeSocket.last().accept(""); // an old server: no subprotocol in its answer
        FakeSocket.last().receive(joinBatch(["LHTTP/1.0 a\r\n\r\n", "LHTTP/1.0 b\r\n\r\n"]));
        assert.equal(messages.length, 0);
        assert.equal(errors.length, 1, "not LHTTP");
        c.publish("room", "chat", null, "one");
        c.publish("room", "chat", null, "two");
        assert.deepEqual(FakeSocket.last().sent, ["LHTTP/1.0 chat\r\npublish:room\r\n\r\none", "LHTTP/1.0 chat\r\npublish:room\r\n\r\ntwo"]);
        c.close();
    });

    test("the first frame of a task goes at once, the rest of the task in batch frames within 8192 chars", async () => {
        const c = client();
        FakeSocket.last().accept(BATCH_SUBPROTOCOL);
        const ws = FakeSocket.last();
        const texts = [];
        for (let i = 0; i < 300; i++) {
            texts.push(encode(c.publish("room", "chat", null, "x".repeat(100) + i)));
            if (i === 0) assert.deepEqual(ws.sent, [texts[0]], "not held back");
        }
        assert.equal(ws.sent.length, 1, "the others wait for the end of the task");
        await Promise.resolve();
        const unpacked = ws.sent.flatMap((f) => (isBatch(f) ? splitBatch(f) : [f]));
        assert.deepEqual(unpacked, texts);
        assert.ok(ws.sent.length >= 5 && ws.sent.length < 10, "packed: " + ws.sent.length + " frames");
        for (const f of ws.sent) assert.ok(f.length <= 8192, "within the bound: " + f.length);
        c.publish("room", "chat", null, "later");
        assert.equal(ws.sent.at(-1), "LHTTP/1.0 chat\r\npublish:room\r\n\r\nlater", "a new task's first frame goes at once");
        c.close();
    });

    test("frames sent right before close() go out before the close", () => {
        const c = client();
        FakeSocket.last().accept(BATCH_SUBPROTOCOL);
        const ws = FakeSocket.last();
        c.publish("room", "chat", null, "a");
        c.publish("room", "chat", null, "b");
        c.close();
        assert.deepEqual(ws.sent.flatMap((f) => (isBatch(f) ? splitBatch(f) : [f])),
            ["LHTTP/1.0 chat\r\npublish:room\r\n\r\na", "LHTTP/1.0 chat\r\npublish:room\r\n\r\nb"]);
    });
});
