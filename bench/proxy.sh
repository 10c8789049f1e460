#!/bin/sh
# The cost of the connect proxy on connection opens per second (docs/BENCHMARKS.md "Connect proxy"):
# the same load (load tool, mode=connections) against the packaged server without, then with
# lhttp.proxy.connect-url, whose backend is a Python ThreadingHTTPServer that allows every connection.
# Compare the two only as a ratio of this run. Needs target/lhttp.jar, target/test-classpath.txt
# (see bench/load.sh) and python3. Pings off: an idle ping would count as an extra frame in the
# tool's check ("duplicated"). Usage: flock /work/notes/bench.lock bench/proxy.sh [connections]
set -e
cd "$(dirname "$0")/.."
N="${1:-2000}"
BPORT="${BPORT:-18890}"
python3 - "$BPORT" > target/bench-proxy-backend.log 2>&1 <<'EOF' &
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ALLOW = json.dumps({"allow": True, "user": "bench", "subscribe": ["*"], "publish": ["*"]}).encode()
class Allow(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(ALLOW))); self.end_headers(); self.wfile.write(ALLOW)
    def log_message(self, *args): pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Allow).serve_forever()
EOF
BACKEND=$!
trap 'kill $BACKEND 2>/dev/null' EXIT
for run in off on; do
  PROXY=""
  [ "$run" = on ] && PROXY="-Dlhttp.proxy.connect-url=http://127.0.0.1:$BPORT/connect"
  PID=$(PORT=18891 LHTTP_JAVA_OPTS="-Dlhttp.max-connections-per-address=100000 -Dlhttp.ping-interval-ms=0 $PROXY" bench/lhttp.sh)
  # A first round warms the server (JIT, pools) and is not counted.
  bench/load.sh mode=connections target=lhttp port=18891 connections=1000 settle=0 > /dev/null 2>&1 || true
  echo "== connect proxy $run"
  bench/load.sh mode=connections target=lhttp port=18891 connections="$N" settle=0 || true
  kill "$PID"; while kill -0 "$PID" 2>/dev/null; do sleep 0.5; done
done
