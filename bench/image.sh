#!/usr/bin/env bash
# Facts about the container image (docs/BENCHMARKS.md, "Container image"): its size, the time from
# `podman run` to /health/ready answering 200, heap and RSS at idle and with N idle subscribed
# WebSocket connections, in a container with a memory limit (default 512 MiB), and whether it survives.
#
#   mvn package -DskipTests && server-config/image/build.sh     # localhost/lhttp:ci
#   mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
#   flock /work/notes/bench.lock bench/image.sh                # CONNECTIONS=5000 MEMORY=512m IMAGE=localhost/lhttp:ci
#
# Needs root (podman, and jcmd attaching to the container's JVM from the host: JDK 17's jcmd finds
# it through /proc/<pid>/root). The connections come from the host's loopback through the port
# forward, so the server sees them all from the bridge's gateway address: the per-address limit
# (lhttp.max-connections-per-address, 256) is raised for this run only.
set -euo pipefail
cd "$(dirname "$0")/.."
podman=server-config/image/podman.sh
image="${IMAGE:-localhost/lhttp:ci}"
connections="${CONNECTIONS:-5000}"
memory="${MEMORY:-512m}"
port="${PORT:-$(shuf -i 20000-32767 -n 1)}"
name="lhttp-bench-$port"
extra_env=()
[ -n "${JDK_JAVA_OPTIONS_OVERRIDE:-}" ] && extra_env=(-e "JDK_JAVA_OPTIONS=$JDK_JAVA_OPTIONS_OVERRIDE")

cleanup() {
  "$podman" logs "$name" > "target/$name.log" 2>&1 || true
  grep -E 'OutOfMemory|Terminating due to|SEVERE' "target/$name.log" | head -5 || true
  "$podman" rm -f -t 30 "$name" >/dev/null 2>&1 || true
}
trap cleanup EXIT

echo "image $image: $("$podman" image inspect -f '{{.Size}}' "$image") bytes"
start=$(date +%s%N)
"$podman" run -d --pull=never --name "$name" --memory "$memory" -p "127.0.0.1:$port:8080" \
  -e LHTTP_MAX_CONNECTIONS_PER_ADDRESS=$((connections + 1000)) "${extra_env[@]}" "$image" >/dev/null
until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health/ready")" = 200 ]; do
  [ "$("$podman" inspect -f '{{.State.Running}}' "$name")" = true ] || { "$podman" logs --tail 30 "$name"; exit 1; }
  sleep 0.2 # poll interval; the start takes seconds
done
echo "ready after $(( ($(date +%s%N) - start) / 1000000 )) ms (podman run to /health/ready 200, memory $memory)"
pid=$("$podman" inspect -f '{{.State.Pid}}' "$name")
jcmd "$pid" VM.flags | tr ' ' '\n' | grep -E 'MaxHeapSize|MaxRAM=' || true
echo "idle: $(grep VmRSS /proc/"$pid"/status), container $("$podman" stats --no-stream --format '{{.MemUsage}}' "$name")"
LOAD_JAVA_OPTS="-Xms256m -Xmx1g -XX:+UseParallelGC" bench/load.sh mode=memory target=lhttp port="$port" \
  connections="$connections" server-pid="$pid" settle=10 jcmd=jcmd || echo "load tool exit $?"
echo "after: running=$("$podman" inspect -f '{{.State.Running}}' "$name") exit=$("$podman" inspect -f '{{.State.ExitCode}}' "$name") oomkilled=$("$podman" inspect -f '{{.State.OOMKilled}}' "$name")" \
  "$(grep VmRSS /proc/"$pid"/status 2>/dev/null || echo 'process gone'), container $("$podman" stats --no-stream --format '{{.MemUsage}}' "$name" 2>/dev/null || true)"
