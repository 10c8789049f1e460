#!/usr/bin/env bash
# A local demo cluster on loopback: 3 routed nats-server nodes and 2 lhttp instances,
# instance 1 on node 1, instance 2 on node 2.
#
#   server-config/cluster.sh start     # after: mvn -o package -DskipTests
#   server-config/cluster.sh status
#   server-config/cluster.sh restart 1    # instance 1 stopped and started again (recovery demo)
#   server-config/cluster.sh stop
#
# Defaults: lhttp on ws://127.0.0.1:8080/ and :8081, NATS clients on 4222-4224, routes on
# 6222-6224, monitoring on http://127.0.0.1:8222-8224 (as in server-config/nats/node-*.conf).
# Other ports: LHTTP_PORTS="9080 9081" NATS_PORTS="..." ROUTE_PORTS="..." MONITOR_PORTS="..."
# (three each for NATS). Pid files and logs go to target/cluster/. Stop sends SIGTERM and waits,
# so Payara Micro removes its runtime directory under /tmp.
#
# The nodes run JetStream (store in target/cluster/jetstream-N), and the instances keep history
# for the chat demo's room and tell its members who joins and leaves:
#   -Dlhttp.history.channels=chatroom -Dlhttp.presence.notify=chatroom
# Other settings: LHTTP_JAVA_OPTS="-Dkey=value ..." (given after these, so they win).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
run="$root/target/cluster"
jar="${LHTTP_JAR:-$root/target/lhttp.jar}"
read -r -a lhttp_ports <<< "${LHTTP_PORTS:-8080 8081}"
read -r -a nats_ports <<< "${NATS_PORTS:-4222 4223 4224}"
read -r -a route_ports <<< "${ROUTE_PORTS:-6222 6223 6224}"
read -r -a monitor_ports <<< "${MONITOR_PORTS:-8222 8223 8224}"
start_timeout="${START_TIMEOUT:-300}" # seconds; a Payara Micro boot is ~15 s on an idle machine

die() { echo "cluster.sh: $*" >&2; exit 1; }

nats_server() {
  local candidate
  for candidate in "$(command -v nats-server 2>/dev/null || true)" /usr/sbin/nats-server /usr/bin/nats-server; do
    [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "$candidate"; return; }
  done
  die "nats-server not found: install it: apt-get install -y nats-server"
}

alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true; }

# wait_for NAME URL: until URL answers 200, the process is gone, or the timeout passes.
wait_for() {
  local name="$1" url="$2" deadline=$((SECONDS + start_timeout))
  until [ "$(http_status "$url")" = 200 ]; do
    alive "$name" || die "$name exited; see $run/$name.log"
    [ $SECONDS -lt $deadline ] || die "$name: $url did not answer 200 within ${start_timeout}s; see $run/$name.log"
    sleep 0.5
  done
}

start() {
  local nats; nats="$(nats_server)"
  [ -f "$jar" ] || die "$jar not found: build it with 'mvn -o package -DskipTests'"
  command -v curl >/dev/null || die "curl not found: apt-get install -y curl"
  mkdir -p "$run"
  # A start that fails half-way stops what it started, so no stray process keeps a port.
  trap 'rc=$?; [ $rc -eq 0 ] || { echo "cluster.sh: start failed; stopping what was started" >&2; stop >&2; }' EXIT
  local i
  for i in 0 1 2; do
    local name="nats-$((i + 1))"
    alive "$name" && die "$name is already running (pid $(cat "$run/$name.pid")); run '$0 stop' first"
    local routes="" j
    for j in 0 1 2; do
      [ "$j" = "$i" ] || routes="${routes:+$routes,}nats-route://127.0.0.1:${route_ports[$j]}"
    done
    # The node's file documents the cluster; the flags apply the (possibly overridden) ports.
    "$nats" -c "$here/nats/node-$((i + 1)).conf" -a 127.0.0.1 -p "${nats_ports[$i]}" -m "${monitor_ports[$i]}" \
      --cluster "nats://127.0.0.1:${route_ports[$i]}" --routes "$routes" \
      -js -sd "$run/jetstream-$((i + 1))" >"$run/$name.log" 2>&1 &
    echo $! >"$run/$name.pid"
  done
  for i in 0 1 2; do
    wait_for "nats-$((i + 1))" "http://127.0.0.1:${monitor_ports[$i]}/healthz"
  done
  echo "nats: 3 nodes on nats://127.0.0.1:${nats_ports[0]},${nats_ports[1]},${nats_ports[2]}"

  for i in 0 1; do
    alive "lhttp-$((i + 1))" && die "lhttp-$((i + 1)) is already running; run '$0 stop' first"
    : >"$run/lhttp-$((i + 1)).log" # a restart appends to it
    launch_instance "$i"
  done
  for i in 0 1; do
    await_instance "$i"
  done
  trap - EXIT
}

# launch_instance I: instance I+1 in the background, on node I+1.
launch_instance() {
  local i="$1" port="${lhttp_ports[$1]}" name="lhttp-$(($1 + 1))"
  # Each instance names one node; the cluster tells it the others, so it fails over to them.
  java -XX:+ExitOnOutOfMemoryError -Dlhttp.nats.url="nats://127.0.0.1:${nats_ports[$i]}" -Dlhttp.instance-name="lhttp-$port" \
    -Dlhttp.history.channels=chatroom -Dlhttp.presence.notify=chatroom ${LHTTP_JAVA_OPTS:-} -jar "$jar" --port "$port" >>"$run/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
}

await_instance() {
  local i="$1"
  # Ready = the application answers and its NATS connection is up; never Payara's log line.
  wait_for "lhttp-$((i + 1))" "http://127.0.0.1:${lhttp_ports[$i]}/health/ready"
  echo "lhttp-$((i + 1)): ws://127.0.0.1:${lhttp_ports[$i]}/ on nats://127.0.0.1:${nats_ports[$i]} (ready)"
}

# stop_process NAME: SIGTERM, wait up to 60 s, then SIGKILL; returns 1 when it was not running.
stop_process() {
  local name="$1" pid deadline
  [ -f "$run/$name.pid" ] || return 1
  pid="$(cat "$run/$name.pid")"
  rm -f "$run/$name.pid"
  kill -0 "$pid" 2>/dev/null || return 1
  kill -TERM "$pid"
  deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name (pid $pid) did not stop within 60 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  echo "stopped $name (pid $pid)"
}

# restart N: instance N (1 or 2) stopped and started again on its port; its pages reconnect to it.
restart() {
  local n="${1:-}"
  [ "$n" = 1 ] || [ "$n" = 2 ] || die "usage: $0 restart 1|2"
  [ -f "$jar" ] || die "$jar not found: build it with 'mvn -o package -DskipTests'"
  stop_process "lhttp-$n" || echo "lhttp-$n was not running"
  launch_instance $((n - 1))
  await_instance $((n - 1))
}

stop() {
  local name stopped=0
  # Instances first (they drain their NATS connection), then the nodes.
  for name in lhttp-1 lhttp-2 nats-1 nats-2 nats-3; do
    stop_process "$name" && stopped=$((stopped + 1))
  done
  [ $stopped -gt 0 ] || echo "nothing running"
}

status() {
  local i name
  for i in 0 1 2; do
    name="nats-$((i + 1))"
    if alive "$name"; then
      local routes
      routes="$(curl -s --max-time 3 "http://127.0.0.1:${monitor_ports[$i]}/routez" | grep -o '"num_routes": *[0-9]*' | grep -o '[0-9]*$' || true)"
      echo "$name: running (pid $(cat "$run/$name.pid")), nats://127.0.0.1:${nats_ports[$i]}, routes: ${routes:-?}"
    else
      echo "$name: stopped"
    fi
  done
  for i in 0 1; do
    name="lhttp-$((i + 1))"
    if alive "$name"; then
      echo "$name: running (pid $(cat "$run/$name.pid")), ws://127.0.0.1:${lhttp_ports[$i]}/, /health/ready: HTTP $(http_status "http://127.0.0.1:${lhttp_ports[$i]}/health/ready")"
    else
      echo "$name: stopped"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  restart) restart "${2:-}" ;;
  *) echo "usage: $0 start|stop|status|restart 1|2" >&2; exit 2 ;;
esac
