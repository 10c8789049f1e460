// lhttp.js: LHTTP/1.0 client (codec + reconnecting WebSocket client).
// A plain ES module with no dependencies and no build step; see lhttp.d.ts for the API
// and docs/js-sdk.md for a guide. The wire format is PROTOCOL.md §1, byte for byte.

export const START = "LHTTP/1.0";

const CRLF = "\r\n";
// PROTOCOL.md §1: a token without spaces or control characters.
const COMMAND = /^[^\x00-\x20\x7f]+$/;
// PROTOCOL.md §1 limits: the server answers 400 for anything else, so fail early
// where the stack trace still points at the caller.
const CHANNEL = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_\-.:@/]{1,128}$/;
// Headers that trigger an action on the server. They are not replayed when the
// client re-subscribes after a reconnect (replaying a publish would duplicate it).
// Nor are request-id (stale), positions and since (the client sets them itself when it recovers).
const ACTION_HEADERS = new Set(["publish", "unsubscribe", "subscribe", "upstream", "upstream-reply", "multipart",
    "request-id", "positions", "since", "presence"]);

/** A frame that is not LHTTP/1.0, or multipart offsets that do not fit the body. */
export class LhttpFormatError extends Error {
    constructor(message) {
        super(message);
        this.name = "LhttpFormatError";
    }
}

/** One LHTTP message: command, headers in wire order (repeats kept), body. */
export class Message {
    constructor(command, headers = null, body = "") {
        this.command = checkCommand(command);
        this.headers = toPairs(headers);
        this.body = body == null ? "" : String(body);
    }

    /** The value the server would interpret: key case-insensitive, trimmed, the last one wins. */
    header(name) {
        const wanted = trim(String(name)).toLowerCase();
        for (let i = this.headers.length - 1; i >= 0; i--) {
            if (trim(this.headers[i][0]).toLowerCase() === wanted) return trim(this.headers[i][1]);
        }
        return undefined;
    }

    /** The parts of a multipart message (PROTOCOL.md §2), or [] when it has no multipart header. */
    parts() {
        const offsets = this.header("multipart");
        return offsets === undefined ? [] : parseMultipart(offsets, this.body);
    }

    toString() {
        return encode(this);
    }
}

/** Serialises a message exactly as PROTOCOL.md §1: start line, `k:v` lines, blank line, body. */
export function encode(message) {
    let text = START + " " + checkCommand(message.command) + CRLF;
    for (const [key, value] of toPairs(message.headers)) text += key + ":" + value + CRLF;
    return text + CRLF + (message.body == null ? "" : message.body);
}

/** Parses one frame. Header lines split at their first colon; the body is everything after the blank line. */
export function decode(text) {
    if (typeof text !== "string") throw new TypeError("an LHTTP frame is a string");
    if (!text.startsWith(START + " ")) throw new LhttpFormatError("frame does not start with 'LHTTP/1.0 '");
    const startEnd = text.indexOf(CRLF);
    if (startEnd < 0) throw new LhttpFormatError("start line does not end with CRLF");
    const command = text.slice(START.length + 1, startEnd);
    if (!COMMAND.test(command)) throw new LhttpFormatError("bad command: " + JSON.stringify(command));
    const { headers, body } = parseHead(text, startEnd + 2);
    const message = Object.create(Message.prototype);
    message.command = command;
    message.headers = headers;
    message.body = body;
    return message;
}

/**
 * Builds a multipart body (PROTOCOL.md §2): each part is its header lines, a blank line and its
 * body; offsets count UTF-8 bytes, which is what the server slices by, not UTF-16 string indexes.
 * Send the result as `send(command, {multipart: mp.offsets}, mp.body)`.
 */
export function multipart(parts) {
    if (!Array.isArray(parts) || parts.length === 0) throw new RangeError("multipart needs at least one part");
    const utf8 = new TextEncoder();
    const offsets = [];
    let body = "";
    let bytes = 0;
    for (const part of parts) {
        let text = "";
        for (const [key, value] of toPairs(part.headers)) text += key + ":" + value + CRLF;
        text += CRLF + (part.body == null ? "" : String(part.body));
        offsets.push(bytes);
        bytes += utf8.encode(text).length;
        body += text;
    }
    return { offsets: offsets.join(" "), body };
}

/** Cuts a multipart body at the given UTF-8 byte offsets ("0 14 ...") and parses each part. */
export function parseMultipart(offsets, body) {
    const starts = String(offsets).trim().split(/ +/);
    const bytes = new TextEncoder().encode(body);
    const utf8 = new TextDecoder("utf-8", { fatal: true });
    const cuts = starts.map((s) => {
        if (!/^\d+$/.test(s)) throw new LhttpFormatError("bad multipart offset: " + JSON.stringify(s));
        return Number(s);
    });
    if (cuts[0] !== 0) throw new LhttpFormatError("the first multipart offset must be 0");
    cuts.forEach((cut, i) => {
        if (i > 0 && cut <= cuts[i - 1]) throw new LhttpFormatError("multipart offsets must increase");
        // Strictly inside: an offset at the very end would start an empty part, which has no blank line.
        if (cut >= bytes.length) throw new LhttpFormatError("multipart offset " + cut + " is not inside the body");
    });
    return cuts.map((cut, i) => {
        let text;
        try {
            text = utf8.decode(bytes.subarray(cut, i + 1 < cuts.length ? cuts[i + 1] : bytes.length));
        } catch {
            throw new LhttpFormatError("multipart offset cuts a UTF-8 character");
        }
        // A part that starts with CRLF has no headers (its blank line comes first).
        const { headers, body: partBody } = parseHead(text, 0, true);
        const part = Object.create(Message.prototype);
        part.command = undefined;
        part.headers = headers;
        part.body = partBody;
        return part;
    });
}

/** Whether the server will accept this channel name (PROTOCOL.md §1 limits). */
export function isValidChannel(name) {
    return typeof name === "string" && CHANNEL.test(name);
}

function parseHead(text, pos, blankLineRequired = false) {
    const headers = [];
    while (pos < text.length) {
        if (text.startsWith(CRLF, pos)) return { headers, body: text.slice(pos + 2) };
        const eol = text.indexOf(CRLF, pos);
        if (eol < 0) throw new LhttpFormatError("header line does not end with CRLF");
        const line = text.slice(pos, eol);
        const colon = line.indexOf(":");
        if (colon < 0) throw new LhttpFormatError("header line without ':': " + JSON.stringify(line));
        if (trim(line.slice(0, colon)) === "") throw new LhttpFormatError("header line with an empty key");
        headers.push([line.slice(0, colon), line.slice(colon + 1)]);
        pos = eol + 2;
    }
    // PROTOCOL.md §1: a message with no blank line has no body; a multipart part must have one.
    if (blankLineRequired) throw new LhttpFormatError("multipart part without a blank line after its headers");
    return { headers, body: "" };
}

// The server trims ASCII spaces and control characters only (Java's String.trim), not all Unicode spaces.
function trim(s) {
    return s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, "");
}

function checkCommand(command) {
    if (typeof command !== "string" || !COMMAND.test(command)) {
        throw new TypeError("an LHTTP command is a non-empty token without spaces: " + JSON.stringify(command));
    }
    return command;
}

// Accepts null, [[k, v], ...], a Map or a plain object; returns fresh [k, v] string pairs.
function toPairs(headers) {
    if (headers == null) return [];
    const entries = Array.isArray(headers) ? headers
        : headers instanceof Map ? [...headers]
        : Object.entries(headers);
    return entries.map(([key, value]) => {
        key = String(key);
        value = value == null ? "" : String(value);
        // A CRLF would end the line early and let a value inject headers or a body.
        if (trim(key) === "" || key.includes(":") || key.includes(CRLF)) throw new TypeError("bad header key: " + JSON.stringify(key));
        if (value.includes(CRLF)) throw new TypeError("header value contains CRLF: " + JSON.stringify(key));
        return [key, value];
    });
}

function channelList(channels) {
    const list = (Array.isArray(channels) ? channels : String(channels).trim().split(/ +/)).map(String);
    for (const channel of list) {
        if (!CHANNEL.test(channel)) throw new TypeError("bad channel name: " + JSON.stringify(channel));
    }
    if (list.length === 0) throw new TypeError("no channel given");
    return list;
}

function splitChannels(value) {
    return value === undefined ? [] : value.split(" ").filter((c) => c !== "");
}

const DEFAULTS = Object.freeze({
    reconnect: true,
    initialDelay: 500,      // ms before the first reconnect attempt
    maxDelay: 15000,        // cap of the exponential backoff, ms
    factor: 2,
    jitter: 0.5,            // each delay is reduced by up to this fraction, at random
    maxQueue: 1000,         // frames kept while disconnected
    recover: false,         // subscribe with positions and recover missed messages after a reconnect (PROTOCOL.md §2.2)
    requestTimeout: 10000,  // ms before request() rejects
    token: undefined,       // string, or function returning a string or a promise of one (lhttp.auth)
    refreshAhead: 30000,    // ms before a token's exp at which a token function is asked for a new one
    batching: true,         // offer batch frames (PROTOCOL.md §7); listeners still see one message at a time
    sseFallback: false,     // when no WebSocket ever opens, subscribe read-only over Server-Sent Events (PROTOCOL.md §8)
    EventSource: undefined, // the EventSource implementation for sseFallback (default: the browser's)
});

/** The WebSocket subprotocol that asks the server for batch frames (PROTOCOL.md §7). */
export const BATCH_SUBPROTOCOL = "lhttp-batch.1";
// Most UTF-16 code units in one batch frame the client sends: at most 3 UTF-8 bytes each, so within
// the strictest frame limit in use (40960 bytes) whatever the text.
const MAX_BATCH_CHARS = 8192;

/** Whether a frame is a batch frame (starts with an ASCII digit) rather than one LHTTP message. */
export function isBatch(text) {
    const c = text.charCodeAt(0);
    return c >= 48 && c <= 57;
}

/**
 * The messages (as text) of a batch frame: records of `<length in UTF-16 code units>\n<message>`
 * (PROTOCOL.md §7). Throws LhttpFormatError when it is not well formed.
 */
export function splitBatch(text) {
    const messages = [];
    let at = 0;
    if (text.length === 0) throw new LhttpFormatError("empty batch frame");
    while (at < text.length) {
        let i = at;
        let length = 0;
        while (i < text.length && i - at < 11) {
            const c = text.charCodeAt(i);
            if (c < 48 || c > 57) break;
            length = length * 10 + (c - 48);
            i++;
        }
        const digits = i - at;
        if (digits === 0 || digits > 10 || text.charCodeAt(i) !== 10) {
            throw new LhttpFormatError("batch record at " + at + " does not start with <length>\\n");
        }
        if (length === 0 || text.charCodeAt(at) === 48) throw new LhttpFormatError("batch record length at " + at + " is 0 or has a leading zero");
        const start = i + 1;
        if (length > text.length - start) throw new LhttpFormatError("batch record at " + at + " runs past the frame's end");
        messages.push(text.slice(start, start + length));
        at = start + length;
    }
    return messages;
}

/** One batch frame of these message texts (PROTOCOL.md §7). */
export function joinBatch(texts) {
    let frame = "";
    for (const t of texts) frame += t.length + "\n" + t;
    return frame;
}

/** A request() that failed: an error frame (code, reason) or a timeout (code 0). */
export class LhttpRequestError extends Error {
    constructor(code, reason, message) {
        super(code ? "error " + code + ": " + reason : reason);
        this.name = "LhttpRequestError";
        this.code = code;
        this.reason = reason;
        this.frame = message;
    }
}

let requestCounter = 0;
const REQUEST_PREFIX = Math.random().toString(36).slice(2, 10);

// The header and command that carry a token on an open connection (docs/SECURITY.md).
const AUTH_HEADER = "auth";
const AUTH_COMMAND = "auth";

/**
 * A connection to an LHTTP server that reconnects by itself and re-subscribes to the channels
 * it held. Frames sent while disconnected are queued (up to `maxQueue`) and sent, in order,
 * after the re-subscription.
 */
export class Client {
    #url;
    #options;
    #ws = null;
    #state = "connecting";
    #listeners = new Map();
    // channel -> {command, headers} of the frame that subscribed it, replayed on reconnect
    #subscriptions = new Map();
    #queue = [];
    #attempt = 0;
    #timer = null;
    #refreshTimer = null;
    #opened = false;
    // request-id -> {resolve, reject, timer} of request() calls waiting for their answer
    #pending = new Map();
    // channel -> last position seen ("epoch:offset"), for channels subscribed with positions
    #positions = new Map();
    // channels re-subscribed after a reconnect whose `subscribed` answer tells whether anything was lost
    #recovering = new Set();
    // on a batching socket: frames sent in this task after its first, packed at the task's end; null when none is due
    #outbox = null;
    // sseFallback: the EventSource once the client fell back to it (read only), else null; #sse is sticky
    #events = null;
    #sse = false;

    constructor(url, options = {}) {
        this.#options = { ...DEFAULTS, ...options };
        this.#options.WebSocket ??= globalThis.WebSocket;
        if (typeof this.#options.WebSocket !== "function") {
            throw new TypeError("no WebSocket implementation: pass options.WebSocket");
        }
        this.#url = socketUrl(url);
        this.#open();
    }

    get url() { return this.#url; }

    /** "connecting" | "open" | "reconnecting" | "closed" */
    get state() { return this.#state; }

    /** "websocket", or "sse" once the client fell back to Server-Sent Events (option sseFallback): then read only. */
    get transport() { return this.#sse ? "sse" : "websocket"; }

    /** Channels the server has been asked to deliver; they are re-subscribed after a reconnect. */
    get channels() { return [...this.#subscriptions.keys()]; }

    /**
     * Listens to "open" {reconnected}, "message" {message}, "error" {code, reason, message},
     * "close" {code, reason, wasClean}, "reconnecting" {attempt, delay}, "statechange" {state, previous}.
     * Returns a function that removes the listener.
     */
    on(type, listener) {
        if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
        this.#listeners.get(type).add(listener);
        return () => this.off(type, listener);
    }

    off(type, listener) {
        this.#listeners.get(type)?.delete(listener);
    }

    subscribe(channels, command = "subscribe", headers = null, body = "") {
        return this.#sendWith("subscribe", channels, command, headers, body);
    }

    unsubscribe(channels, command = "unsubscribe", headers = null, body = "") {
        return this.#sendWith("unsubscribe", channels, command, headers, body);
    }

    publish(channels, command, headers = null, body = "") {
        return this.#sendWith("publish", channels, command, headers, body);
    }

    /**
     * Sends one frame with a fresh `request-id` and resolves with the first frame that answers it
     * (PROTOCOL.md §2.1): a processor's reply, an upstream reply, a `subscribed` or `presence`
     * answer. Rejects with an LhttpRequestError on an error frame carrying the id, or after
     * `timeout` ms (option `requestTimeout`, default 10000). A frame that only publishes or
     * subscribes without positions gets no answer: it times out.
     */
    request(command, headers = null, body = "", { timeout = this.#options.requestTimeout } = {}) {
        const id = REQUEST_PREFIX + "-" + (++requestCounter).toString(36);
        const pairs = toPairs(headers).filter(([key]) => trim(key).toLowerCase() !== "request-id");
        pairs.push(["request-id", id]);
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.#pending.delete(id);
                reject(new LhttpRequestError(0, "no answer within " + timeout + " ms"));
            }, timeout);
            this.#pending.set(id, { resolve, reject, timer });
            try {
                this.send(command, pairs, body);
            } catch (error) {
                clearTimeout(timer);
                this.#pending.delete(id);
                reject(error);
            }
        });
    }

    /** The last history position seen per channel ("epoch:offset"), for channels subscribed with positions. */
    get positions() { return new Map(this.#positions); }

    /** Sends one frame. Headers: an object, a Map or [[key, value], ...]. Returns the message sent. */
    send(command, headers = null, body = "") {
        const message = command instanceof Message ? command : new Message(command, headers, body);
        const text = encode(message);
        if (this.#state === "closed") throw new Error("the client is closed");
        if (this.#sse) {
            // Read only (PROTOCOL.md §8): a subscription change opens a new stream; nothing else can be sent.
            if (message.header("subscribe") === undefined && message.header("unsubscribe") === undefined) {
                throw new Error("read-only over Server-Sent Events: '" + message.command + "' cannot be sent");
            }
            this.#record(message);
            if (this.#state === "open" || this.#events !== null) this.#openEvents();
            return message;
        }
        // A socket the server is closing drops frames silently: queue them for the next one.
        if (this.#state === "open" && this.#ws.readyState === 1) {
            this.#write(message, text);
        } else {
            if (this.#queue.length >= this.#options.maxQueue) throw new Error("send queue full (" + this.#options.maxQueue + " frames)");
            this.#queue.push([message, text]);
        }
        return message;
    }

    /**
     * Sends a new token on the open connection before the old one expires (docs/SECURITY.md):
     * `token` itself, or else what the `token` option gives. Resolves once the frame is written;
     * a refused token comes back as an "error" event with code 401 or 403.
     */
    async refreshToken(token) {
        const fresh = token ?? await this.#token();
        if (fresh == null || this.#state !== "open" || this.#ws?.readyState !== 1) return false;
        this.#transmit(encode(new Message(AUTH_COMMAND, [[AUTH_HEADER, fresh]], "")));
        this.#scheduleRefresh(fresh);
        return true;
    }

    /** Closes for good: no reconnect, queued frames are dropped. */
    close(code = 1000, reason = "") {
        clearTimeout(this.#timer);
        clearTimeout(this.#refreshTimer);
        this.#queue = [];
        for (const [, { reject, timer }] of this.#pending) {
            clearTimeout(timer);
            reject(new LhttpRequestError(0, "the client is closed"));
        }
        this.#pending.clear();
        const ws = this.#ws;
        if (ws) this.#flushOutbox(ws); // what was sent before close() goes out before the close frame
        this.#events?.close();
        this.#events = null;
        this.#setState("closed");
        if (ws && ws.readyState < 2) ws.close(code, reason);
    }

    #sendWith(action, channels, command, headers, body) {
        const list = channelList(channels);
        const pairs = toPairs(headers).filter(([key]) => trim(key).toLowerCase() !== action);
        if (action === "subscribe" && this.#options.recover && !pairs.some(([key]) => trim(key).toLowerCase() === "positions")) {
            pairs.push(["positions", "true"]);
        }
        pairs.push([action, list.join(" ")]);
        return this.send(command, pairs, body);
    }

    #write(message, text) {
        this.#transmit(text);
        this.#record(message);
    }

    #record(message) {
        // Recorded when written, so that channels are exactly what this connection's server knows.
        // Same order as the server applies them (PROTOCOL.md §2): subscribe before unsubscribe.
        const keep = message.headers.filter(([key]) => !ACTION_HEADERS.has(trim(key).toLowerCase()));
        const positioned = message.header("positions") === "true" || message.header("since") !== undefined;
        for (const channel of splitChannels(message.header("subscribe"))) {
            if (!this.#subscriptions.has(channel)) {
                this.#subscriptions.set(channel, { command: message.command, headers: keep, positioned });
            }
        }
        for (const channel of splitChannels(message.header("unsubscribe"))) {
            this.#subscriptions.delete(channel);
            this.#positions.delete(channel);
        }
    }

    // On a batching socket the first frame of a task goes at once; those after it in the same task
    // wait for the task's end (a microtask, before any I/O) and go out together as batch frames.
    #transmit(text) {
        const ws = this.#ws;
        if (ws.protocol !== BATCH_SUBPROTOCOL) {
            ws.send(text);
        } else if (this.#outbox === null) {
            ws.send(text);
            this.#outbox = [];
            queueMicrotask(() => this.#flushOutbox(ws));
        } else {
            this.#outbox.push(text);
        }
    }

    #flushOutbox(ws) {
        const out = this.#outbox;
        this.#outbox = null;
        if (!out || out.length === 0 || ws !== this.#ws || ws.readyState !== 1) return;
        let batch = [];
        let chars = 0;
        const sendBatch = () => {
            if (batch.length === 1) ws.send(batch[0]);
            else if (batch.length > 1) ws.send(joinBatch(batch));
            batch = [];
            chars = 0;
        };
        for (const text of out) {
            const record = String(text.length).length + 1 + text.length;
            if (chars + record > MAX_BATCH_CHARS) sendBatch();
            batch.push(text);
            chars += record;
        }
        sendBatch();
    }

    async #token() {
        const token = this.#options.token;
        const value = typeof token === "function" ? await token() : token;
        return value == null || value === "" ? undefined : String(value);
    }

    // A token function is asked again shortly before the token's exp (read, not verified: the server verifies).
    #scheduleRefresh(token) {
        clearTimeout(this.#refreshTimer);
        if (typeof this.#options.token !== "function") return;
        const exp = tokenExpiry(token);
        if (exp === undefined) return;
        const delay = Math.max(1000, exp * 1000 - Date.now() - this.#options.refreshAhead);
        this.#refreshTimer = setTimeout(() => {
            this.refreshToken().catch((error) => this.#emit("error", { code: 0, reason: "token: " + error.message, message: undefined }));
        }, delay);
    }

    #open() {
        if (this.#sse) {
            this.#openEvents();
            return;
        }
        if (this.#options.token === undefined) {
            this.#connect(this.#url);
            return;
        }
        // The token goes in the URL: browsers cannot set headers on a WebSocket handshake.
        this.#token().then((token) => {
            if (this.#state === "closed") return;
            try {
                this.#connect(token === undefined ? this.#url : withToken(this.#url, token), token);
            } catch (error) {
                this.#emit("error", { code: 0, reason: String(error?.message ?? error), message: undefined });
                this.#retry();
            }
        }, (error) => {
            if (this.#state === "closed") return;
            this.#emit("error", { code: 0, reason: "token: " + (error?.message ?? error), message: undefined });
            this.#retry();
        });
    }

    #connect(url, token) {
        let ws;
        try {
            ws = this.#options.batching ? new this.#options.WebSocket(url, [BATCH_SUBPROTOCOL]) : new this.#options.WebSocket(url);
        } catch (error) {
            if (!this.#opened && this.#attempt === 0) throw error;
            this.#retry();
            return;
        }
        this.#ws = ws;
        ws.binaryType = "arraybuffer";
        ws.onopen = () => {
            if (token !== undefined && ws === this.#ws) this.#scheduleRefresh(token);
            this.#onOpen(ws);
        };
        ws.onmessage = (event) => this.#onFrame(ws, event.data);
        ws.onclose = (event) => this.#onClose(ws, event);
        // A socket error is always followed by close, which carries what the app can act on.
        ws.onerror = () => {};
    }

    #onOpen(ws) {
        if (ws !== this.#ws || this.#state === "closed") return;
        const reconnected = this.#opened;
        this.#opened = true;
        this.#attempt = 0;
        this.#setState("open");
        this.#resubscribe();
        const queued = this.#queue;
        this.#queue = [];
        for (const [message, text] of queued) this.#write(message, text);
        this.#emit("open", { reconnected });
    }

    #resubscribe() {
        // One frame per distinct (command, headers): usually a single frame for all channels.
        // A channel with a known position gets its own frame with `since` (PROTOCOL.md §2.2).
        const groups = new Map();
        for (const [channel, { command, headers, positioned }] of this.#subscriptions) {
            if (positioned) {
                this.#recovering.add(channel);
                const since = this.#positions.get(channel);
                if (since) {
                    const message = new Message(command, [...headers, ["since", since], ["subscribe", channel]], "");
                    this.#write(message, encode(message));
                    continue;
                }
            }
            const key = JSON.stringify([command, positioned ? [...headers, ["positions", "true"]] : headers]);
            if (!groups.has(key)) groups.set(key, { command, headers: positioned ? [...headers, ["positions", "true"]] : headers, channels: [] });
            groups.get(key).channels.push(channel);
        }
        for (const { command, headers, channels } of groups.values()) {
            const message = new Message(command, [...headers, ["subscribe", channels.join(" ")]], "");
            this.#write(message, encode(message));
        }
    }

    #onFrame(ws, data) {
        if (ws !== this.#ws) return;
        const text = typeof data === "string" ? data : new TextDecoder().decode(data);
        if (ws.protocol === BATCH_SUBPROTOCOL && isBatch(text)) {
            let texts;
            try {
                texts = splitBatch(text);
            } catch (error) {
                this.#emit("error", { code: 0, reason: error.message, message: undefined });
                return;
            }
            for (const t of texts) {
                if (ws !== this.#ws) return; // a listener closed the client
                this.#onText(t);
            }
            return;
        }
        this.#onText(text);
    }

    #onText(text) {
        let message;
        try {
            message = decode(text);
        } catch (error) {
            this.#emit("error", { code: 0, reason: error.message, message: undefined });
            return;
        }
        const id = message.header("request-id");
        const pending = id === undefined ? undefined : this.#pending.get(id);
        if (pending) {
            this.#pending.delete(id);
            clearTimeout(pending.timer);
            if (message.command === "error" && message.header("publish") === undefined) {
                pending.reject(new LhttpRequestError(Number(message.header("code")), message.header("reason") ?? "", message));
            } else {
                pending.resolve(message);
            }
        }
        // Clients cannot publish "error" (the server refuses it with 403), so an error frame is the
        // server's own; one that names channels it was published to was not (an older server let it through).
        if (message.command === "error" && message.header("publish") === undefined) {
            this.#emit("error", { code: Number(message.header("code")), reason: message.header("reason") ?? "", message });
        } else if (message.command === "subscribed" && message.header("publish") === undefined) {
            this.#onSubscribed(message);
        } else {
            this.#notePosition(message);
            this.#emit("message", { message });
        }
    }

    // The answer to a subscribe with positions: the channel's position, and after a reconnect whether all was recovered.
    #onSubscribed(message) {
        const channel = message.header("channel");
        const position = message.header("position");
        if (position !== undefined && this.#subscriptions.has(channel)) this.#positions.set(channel, position);
        const recovered = message.header("recovered") === "true";
        this.#emit("subscribed", { channel, position, recovered: message.header("recovered") === undefined ? undefined : recovered });
        if (this.#recovering.delete(channel)) this.#emit("recovered", { channel, recovered });
    }

    // A delivered frame's position counts for the one positioned channel among those it was published to.
    // The server inserts its position as the first header line; a publisher's own `position` header comes later.
    #notePosition(message) {
        const first = message.headers[0];
        const position = first && trim(first[0]).toLowerCase() === "position" ? trim(first[1]) : undefined;
        if (position === undefined) return;
        const mine = splitChannels(message.header("publish")).filter((c) => this.#subscriptions.get(c)?.positioned);
        if (mine.length === 1) this.#positions.set(mine[0], position);
    }

    #onClose(ws, event) {
        if (ws !== this.#ws) return;
        this.#ws = null;
        this.#outbox = null;
        clearTimeout(this.#refreshTimer);
        this.#emit("close", { code: event.code, reason: event.reason, wasClean: event.wasClean });
        if (this.#state === "closed") return;
        if (this.#options.sseFallback && !this.#opened) {
            this.#fallBack();
            return;
        }
        if (!this.#options.reconnect) {
            this.#queue = [];
            this.#setState("closed");
            return;
        }
        this.#retry();
    }

    // No WebSocket ever opened (a proxy that strips upgrades, a blocked port): subscribe over
    // Server-Sent Events instead, read only. Queued subscription changes are applied; other frames cannot go.
    #fallBack() {
        const EventSourceImpl = this.#options.EventSource ?? globalThis.EventSource;
        if (typeof EventSourceImpl !== "function") {
            this.#retry();
            return;
        }
        this.#sse = true;
        const queued = this.#queue;
        this.#queue = [];
        for (const [message] of queued) {
            if (message.header("subscribe") !== undefined || message.header("unsubscribe") !== undefined) {
                this.#record(message);
            } else {
                this.#emit("error", { code: 0, reason: "read-only over Server-Sent Events: '" + message.command + "' not sent", message });
            }
        }
        this.#openEvents();
    }

    // (Re)opens the stream for the channels held now: the token and, for one positioned channel, its position.
    #openEvents() {
        this.#events?.close();
        this.#events = null;
        const channels = [...this.#subscriptions.keys()];
        if (channels.length === 0) {
            this.#onEventsOpen(null);
            return;
        }
        const url = new URL(this.#url);
        url.protocol = url.protocol === "wss:" ? "https:" : "http:";
        url.pathname = "/events";
        url.search = "";
        for (const c of channels) url.searchParams.append("channel", c);
        const since = channels.length === 1 ? this.#positions.get(channels[0]) : undefined;
        if (since !== undefined) {
            url.searchParams.set("lastEventId", since);
            this.#recovering.add(channels[0]);
        }
        this.#token().then((token) => {
            if (this.#state === "closed") return;
            if (token !== undefined) url.searchParams.set("token", token);
            const EventSourceImpl = this.#options.EventSource ?? globalThis.EventSource;
            const es = new EventSourceImpl(url.href);
            this.#events = es;
            const onEvent = (event) => {
                if (es !== this.#events) return;
                // PROTOCOL.md §8: the frame with LF line ends and no trailing ones (none at all on WildFly).
                let text = String(event.data).replace(/\n/g, CRLF);
                if (!text.includes(CRLF + CRLF)) text += CRLF + CRLF;
                this.#onText(text);
            };
            for (const name of [...channels, "#subscribed", "#error"]) es.addEventListener(name, onEvent);
            es.onopen = () => this.#onEventsOpen(es);
            es.onerror = () => {
                if (es !== this.#events) return;
                if (es.readyState === 2) { // refused (not 200): retry with backoff, as after a close
                    this.#events = null;
                    this.#emit("close", { code: 1006, reason: "event stream refused or ended", wasClean: false });
                    if (this.#state !== "closed") this.#retry();
                } else if (this.#state === "open") {
                    this.#setState("reconnecting"); // EventSource reconnects by itself, with Last-Event-ID
                }
            };
        }, (error) => {
            if (this.#state === "closed") return;
            this.#emit("error", { code: 0, reason: "token: " + (error?.message ?? error), message: undefined });
            this.#retry();
        });
    }

    #onEventsOpen(es) {
        if (es !== this.#events || this.#state === "closed") return;
        if (this.#state === "open") return;
        const reconnected = this.#opened;
        this.#opened = true;
        this.#attempt = 0;
        this.#setState("open");
        this.#emit("open", { reconnected, transport: "sse" });
    }

    #retry() {
        const { initialDelay, maxDelay, factor, jitter } = this.#options;
        this.#attempt++;
        const ceiling = Math.min(maxDelay, initialDelay * factor ** (this.#attempt - 1));
        // Jitter spreads the reconnects of many pages after a server restart.
        const delay = Math.round(ceiling * (1 - jitter * Math.random()));
        this.#setState(this.#opened ? "reconnecting" : "connecting");
        this.#emit("reconnecting", { attempt: this.#attempt, delay });
        this.#timer = setTimeout(() => {
            if (this.#state !== "closed") this.#open();
        }, delay);
    }

    #setState(state) {
        const previous = this.#state;
        if (previous === state) return;
        this.#state = state;
        this.#emit("statechange", { state, previous });
    }

    #emit(type, detail) {
        for (const listener of [...(this.#listeners.get(type) ?? [])]) {
            try {
                listener(detail);
            } catch (error) {
                // One failing listener must not stop the others or the client itself.
                if (typeof globalThis.reportError === "function") globalThis.reportError(error);
                else setTimeout(() => { throw error; });
            }
        }
    }
}

/** Connects to `url` (default: the page's own host, ws: or wss: to match http: or https:). */
export function connect(url, options) {
    return new Client(url, options);
}

function withToken(url, token) {
    const u = new URL(url);
    u.searchParams.set("token", token);
    return u.href;
}

// The exp claim of a JWT, in seconds, or undefined.
function tokenExpiry(token) {
    try {
        const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
        const exp = JSON.parse(atob(payload + "=".repeat((4 - payload.length % 4) % 4))).exp;
        return typeof exp === "number" ? exp : undefined;
    } catch {
        return undefined;
    }
}

function socketUrl(url) {
    const page = globalThis.location?.href;
    if (url == null) {
        if (!page) throw new TypeError("a URL is needed outside a web page");
        url = "/";
    }
    const resolved = new URL(String(url), page);
    if (resolved.protocol === "http:") resolved.protocol = "ws:";
    else if (resolved.protocol === "https:") resolved.protocol = "wss:";
    return resolved.href;
}
