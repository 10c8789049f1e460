#!/bin/sh
# The attacks of docs/RELIABILITY.md against target/lhttp.jar with a 1 GB heap, each on a freshly
# started server beside a canary chat (bench/attack.sh). One RESULT line per attack on stdout.
# Needs once: mvn -o -q package -DskipTests && mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: bench/reliability.sh [attack...]   attacks: unfinished stall slowpost conns idle cycles soak ports (default: all but soak)
cd "$(dirname "$0")/.."
PORT="${PORT:-18801}"
HEAP="${HEAP:--Xms1g -Xmx1g}"
start() { # extra JVM options
  LHTTP_JAVA_OPTS="$HEAP $*" PORT=$PORT bench/lhttp.sh
}
stop() {
  kill "$1"; while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
}
run() { # name, JVM options, attack arguments
  name=$1; opts=$2; shift 2
  pid=$(start $opts) || { echo "RESULT $name {\"error\":\"server did not start\"}"; return; }
  echo "## $name (server pid $pid, $HEAP $opts)" >&2
  bench/attack.sh port=$PORT server-pid=$pid "$@" | sed "s/^RESULT /RESULT $name /"
  stop "$pid"
}
for a in ${@:-unfinished stall slowpost conns idle cycles ports}; do
  case $a in
    unfinished) run unfinished "" mode=unfinished attackers=1000 hold=100 ;;
    stall)      run stall "" mode=stall stalled=20 messages=400 size=65000 ;;
    slowpost)   run slowpost "" mode=slowpost posts=300 interval=5 hold=60 ;;
    conns)      run conns "" mode=conns connections=5000 ;;
    idle)       run idle "-Dlhttp.ping-interval-ms=5000 -Dlhttp.idle-timeout-ms=15000" mode=idle idle=100 live=10 hold=30 ;;
    cycles)     run cycles "-Dlhttp.max-messages-per-second=0" mode=cycles cycles=${CYCLES:-100000} concurrency=8 ;;
    soak)       run soak "" mode=soak minutes=${MINUTES:-10} rate=200 subs=20 churn=20 ;;
    ports)      pid=$(start "")
                echo "RESULT ports {\"listening\":\"$(ss -ltnpH 2>/dev/null | grep "pid=$pid," | awk '{print $4}' | paste -sd' ')\"}"
                stop "$pid" ;;
  esac
done
