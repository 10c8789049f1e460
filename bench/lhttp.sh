#!/bin/sh
# Starts target/lhttp.jar on 127.0.0.1:${PORT:-18801} for benchmarks (no per-connection rate limit),
# waits until the application answers, prints its pid. Stop: kill <pid> (SIGTERM).
# JAR: which uberjar (default target/lhttp.jar). Extra JVM options: LHTTP_JAVA_OPTS (e.g. -Dlhttp.send-queue=4096, -XX:StartFlightRecording=...).
set -e
cd "$(dirname "$0")/.."
PORT="${PORT:-18801}"
java -XX:+ExitOnOutOfMemoryError -Dlhttp.max-messages-per-second=0 $LHTTP_JAVA_OPTS -jar "${JAR:-target/lhttp.jar}" --port "$PORT" \
  > "target/bench-lhttp-$PORT.log" 2>&1 &
PID=$!
i=0
until curl -sf -o /dev/null "http://127.0.0.1:$PORT/"; do
  i=$((i+1)); [ $i -gt 240 ] && { echo "not up after 120 s, see target/bench-lhttp-$PORT.log" >&2; kill $PID; exit 1; }
  kill -0 $PID 2>/dev/null || { echo "died, see target/bench-lhttp-$PORT.log" >&2; exit 1; }
  sleep 0.5
done
echo $PID
