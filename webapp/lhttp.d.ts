// Types for lhttp.js, the LHTTP/1.0 client SDK.

/** Headers as given to the SDK: wire order is kept for arrays and Maps. */
export type HeadersInit =
    | null
    | undefined
    | ReadonlyArray<readonly [string, string]>
    | ReadonlyMap<string, string>
    | Readonly<Record<string, string | number | boolean>>;

export declare const START: "LHTTP/1.0";

/** A frame that is not LHTTP/1.0, or multipart offsets that do not fit the body. */
export declare class LhttpFormatError extends Error {
    name: "LhttpFormatError";
}

/** One LHTTP message. */
export declare class Message {
    constructor(command: string, headers?: HeadersInit, body?: string);
    /** Undefined for a multipart part. */
    command: string;
    /** Raw keys and values, in wire order, repeats kept. */
    headers: Array<[string, string]>;
    body: string;
    /** Case-insensitive, trimmed, the last one wins: how the server reads a header. */
    header(name: string): string | undefined;
    /** The parts of a multipart message; [] without a multipart header. Throws LhttpFormatError. */
    parts(): Message[];
    /** The frame text. */
    toString(): string;
}

/** Serialises exactly as PROTOCOL.md §1. */
export declare function encode(message: { command: string; headers?: HeadersInit; body?: string }): string;
/** Parses one frame; throws LhttpFormatError. */
export declare function decode(text: string): Message;
/** Builds a multipart body with UTF-8 byte offsets: send it with header `multipart: offsets`. */
export declare function multipart(parts: ReadonlyArray<{ headers?: HeadersInit; body?: string }>): {
    offsets: string;
    body: string;
};
/** Cuts a body at UTF-8 byte offsets ("0 14 ...") and parses each part. */
export declare function parseMultipart(offsets: string, body: string): Message[];
/** Whether the server accepts the channel name: 1-128 of `A-Z a-z 0-9 _ - . : @ /`, no stray dots. */
export declare function isValidChannel(name: string): boolean;
/** The WebSocket subprotocol that asks for batch frames (PROTOCOL.md §7). */
export declare const BATCH_SUBPROTOCOL: "lhttp-batch.1";
/** Whether a frame is a batch frame (starts with an ASCII digit) rather than one LHTTP message. */
export declare function isBatch(text: string): boolean;
/** The message texts of a batch frame; throws LhttpFormatError when it is not well formed. */
export declare function splitBatch(text: string): string[];
/** One batch frame of these message texts. */
export declare function joinBatch(texts: ReadonlyArray<string>): string;

export type State = "connecting" | "open" | "reconnecting" | "closed";

/** One channel, several separated by spaces, or an array. */
export type Channels = string | readonly string[];

export interface ClientOptions {
    /** Reconnect after the connection drops. Default true. */
    reconnect?: boolean;
    /** Delay before the first reconnect attempt, ms. Default 500. */
    initialDelay?: number;
    /** Upper bound of the exponential backoff, ms. Default 15000. */
    maxDelay?: number;
    /** Backoff multiplier per attempt. Default 2. */
    factor?: number;
    /** Each delay is reduced at random by up to this fraction. Default 0.5. */
    jitter?: number;
    /** Frames kept while disconnected; send() throws beyond. Default 1000. */
    maxQueue?: number;
    /**
     * A token for servers with lhttp.auth on (docs/SECURITY.md): a string, or a function returning
     * one or a promise of one, asked before every (re)connect and, for a JWT with exp, again
     * `refreshAhead` ms before it expires (sent on the open connection). It goes in the handshake
     * URL as ?token=, since browsers cannot set WebSocket headers.
     */
    token?: string | (() => string | Promise<string>);
    /** How long before a token's exp a token function is asked for a new one, ms. Default 30000. */
    refreshAhead?: number;
    /**
     * Subscribe with `positions:true` and, after a reconnect, re-subscribe each channel with
     * `since:<last position>` so that the server replays what was missed (PROTOCOL.md §2.2);
     * a `recovered` event says per channel whether nothing may have been lost. Default false.
     */
    recover?: boolean;
    /** Default timeout of request(), ms. Default 10000. */
    requestTimeout?: number;
    /**
     * Offer the server batch frames (the `lhttp-batch.1` subprotocol, PROTOCOL.md §7). Where the
     * server takes it, messages queued for this client may arrive several to a WebSocket frame
     * and frames sent in one task after its first go out together; listeners still see one message
     * at a time, in order. Servers that do not know it answer without the subprotocol. Default true.
     */
    batching?: boolean;
    /** WebSocket implementation, for runtimes without a global one. */
    WebSocket?: new (url: string) => WebSocket;
    /**
     * When no WebSocket ever opens (a proxy that strips upgrades, a blocked port), subscribe over
     * Server-Sent Events instead (`GET /events`, PROTOCOL.md §8): read only — subscribe and
     * unsubscribe open a new stream, anything else throws. With `recover`, a stream of one channel
     * recovers after its last position. Default false.
     */
    sseFallback?: boolean;
    /** EventSource implementation for `sseFallback`, for runtimes without a global one. */
    EventSource?: new (url: string) => EventSource;
}

export interface ClientEvents {
    /** reconnected: true after a reconnect; messages published meanwhile were missed. */
    open: { reconnected: boolean; transport?: "sse" };
    message: { message: Message };
    /**
     * An error frame from the server (PROTOCOL.md §5), or code 0 for a frame the SDK could not parse
     * or a token function that failed. Clients cannot publish command "error" (the server refuses
     * it with 403), so these are the server's own; an "error" frame carrying a publish header is
     * delivered as a message instead.
     */
    error: { code: number; reason: string; message: Message | undefined };
    close: { code: number; reason: string; wasClean: boolean };
    /** A new attempt is scheduled after `delay` ms. */
    reconnecting: { attempt: number; delay: number };
    statechange: { state: State; previous: State };
    /** The server's answer to a subscribe with positions: the channel's position (absent: no history). */
    subscribed: { channel: string; position: string | undefined; recovered: boolean | undefined };
    /** After a reconnect (option recover): false when messages of the channel may have been missed. */
    recovered: { channel: string; recovered: boolean };
}

/** A request() that got an error frame (code, reason, frame) or no answer in time (code 0). */
export declare class LhttpRequestError extends Error {
    readonly code: number;
    readonly reason: string;
    readonly frame: Message | undefined;
}

export declare class Client {
    constructor(url?: string | URL, options?: ClientOptions);
    readonly url: string;
    readonly state: State;
    /** "websocket", or "sse" once the client fell back to Server-Sent Events (`sseFallback`): read only. */
    readonly transport: "websocket" | "sse";
    /** Channels the server has been asked to deliver; re-subscribed after every reconnect. */
    readonly channels: string[];
    on<K extends keyof ClientEvents>(type: K, listener: (detail: ClientEvents[K]) => void): () => void;
    off<K extends keyof ClientEvents>(type: K, listener: (detail: ClientEvents[K]) => void): void;
    subscribe(channels: Channels, command?: string, headers?: HeadersInit, body?: string): Message;
    unsubscribe(channels: Channels, command?: string, headers?: HeadersInit, body?: string): Message;
    publish(channels: Channels, command: string, headers?: HeadersInit, body?: string): Message;
    /** Last history position seen per channel ("epoch:offset"), for channels subscribed with positions. */
    readonly positions: Map<string, string>;
    /**
     * Sends with a fresh `request-id` header; resolves with the frame answering it, rejects with
     * an LhttpRequestError on an error frame carrying the id or after the timeout.
     */
    request(command: string, headers?: HeadersInit, body?: string, options?: { timeout?: number }): Promise<Message>;
    /** Sends now, or queues while not connected. Throws when closed or when the queue is full. */
    send(command: string | Message, headers?: HeadersInit, body?: string): Message;
    /** Sends a new token (or the token option's next one) on the open connection; false when not open. */
    refreshToken(token?: string): Promise<boolean>;
    /** Closes for good: no reconnect. */
    close(code?: number, reason?: string): void;
}

/** Connects to url; default: the page's own host, ws: or wss: to match http: or https:. */
export declare function connect(url?: string | URL, options?: ClientOptions): Client;
