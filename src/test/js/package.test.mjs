// webapp/package.json: what a front-end build gets from `npm pack` / `npm install <path to webapp>`.
// Offline: the package has no dependencies, and npm installs a local tarball without the network.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const webapp = fileURLToPath(new URL("../../../webapp/", import.meta.url));
const npm = (args, cwd) => execFileSync("npm", [...args, "--offline", "--no-audit", "--no-fund", "--loglevel=error"],
    { cwd, encoding: "utf8", env: { ...process.env, npm_config_cache: join(cwd, ".npm-cache") } });

test("npm pack holds exactly the SDK files and package.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "lhttp-pack-"));
    try {
        const [pack] = JSON.parse(npm(["pack", "--dry-run", "--json", webapp], dir));
        assert.equal(pack.name, "lhttp-client");
        assert.deepEqual(pack.files.map((f) => f.path).sort(), ["lhttp-compat.js", "lhttp.d.ts", "lhttp.js", "package.json"]);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});

test("installed from the repository, it imports by its package name", () => {
    const dir = mkdtempSync(join(tmpdir(), "lhttp-install-"));
    try {
        npm(["pack", "--pack-destination", dir, webapp], dir);
        const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"));
        writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "app", version: "0.0.0", type: "module", private: true }));
        npm(["install", join(dir, tarball)], dir);
        writeFileSync(join(dir, "main.js"), `
            import { encode, decode, connect, isValidChannel } from "lhttp-client";
            import * as again from "lhttp-client/lhttp.js";
            const frame = encode({ command: "chat", headers: [["publish", "room"]], body: "hi" });
            console.log(JSON.stringify({ frame, body: decode(frame).body, connect: typeof connect,
                same: again.encode === encode, valid: isValidChannel("room") }));`);
        const out = JSON.parse(execFileSync(process.execPath, ["main.js"], { cwd: dir, encoding: "utf8" }));
        assert.deepEqual(out, { frame: "LHTTP/1.0 chat\r\npublish:room\r\n\r\nhi", body: "hi", connect: "function", same: true, valid: true });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
});
