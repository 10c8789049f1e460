// lhttp-compat.js: the original fanux/lhttp JavaScript SDK's API (global `Lhttp`) on top of
// lhttp.js. A page written for the original works by pointing its <script src> here.
// Classic script: it loads lhttp.js with a dynamic import, so keep both files side by side.
//
// Differences from the original, all fixes: header values keep their colons, bodies may contain
// a blank line, getHeader(key) returns that header's value, and the connection reconnects and
// re-subscribes by itself (on_close, then on_open again, are called around each reconnect).
(function (global) {
    "use strict";

    var sdkUrl = new URL("lhttp.js", document.currentScript ? document.currentScript.src : location.href).href;

    function Context(lhttp, message) {
        var self = this;
        var req = message || null;
        // Like the original, one context keeps its response command and headers across sends.
        var command = "";
        var headers = {};

        self.setCommand = function (str) { command = str; };
        self.getCommand = function () { return req ? req.command : ""; };
        self.getHeader = function (key) { return req ? req.header(key) : undefined; };
        self.addHeader = function (key, value) { headers[key] = value; };
        self.getBody = function () { return req ? req.body : ""; };
        self.getMultipart = function () { return req ? req.parts() : []; };

        self.send = function (body) {
            lhttp._send(command || self.getCommand(), headers, body);
        };

        function assemble(key, channel, cmd, extra, body) {
            self.addHeader(key, channel);
            self.setCommand(cmd);
            for (var h in extra) self.addHeader(h, extra[h]);
            self.send(body);
        }

        self.publish = function (channel, cmd, extra, body) { assemble("publish", channel, cmd, extra, body); };
        self.subscribe = function (channel, cmd, extra, body) { assemble("subscribe", channel, cmd, extra, body); };
    }

    function Lhttp(url) {
        var self = this;
        var client = null;
        var pending = [];

        self.on_open = function (c) {};
        self.on_message = function (c) {};
        self.on_close = function (c) {};
        self.on_error = function (c) {};

        // The original's client.context: usable at once, e.g. context.publish(...) from a button.
        self.context = new Context(self, null);

        // Frames sent before lhttp.js has loaded wait here, then go in order.
        self._send = function (cmd, headers, body) {
            if (client) client.send(cmd, headers, body);
            else pending.push([cmd, headers, body]);
        };

        import(sdkUrl).then(function (sdk) {
            client = sdk.connect(url);
            // The original handed every frame to on_message, error frames included.
            client.on("message", function (e) { self.on_message(new Context(self, e.message)); });
            client.on("error", function (e) {
                if (e.message) self.on_message(new Context(self, e.message));
                else self.on_error(new Context(self, null));
            });
            client.on("open", function () { self.on_open(new Context(self, null)); });
            client.on("close", function () { self.on_close(new Context(self, null)); });
            pending.forEach(function (p) { client.send(p[0], p[1], p[2]); });
            pending = [];
            self.conn = client;
        }, function (error) {
            self.on_error(new Context(self, null));
            throw error;
        });
    }

    global.Lhttp = Lhttp;
})(window);
