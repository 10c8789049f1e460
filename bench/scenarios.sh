#!/bin/sh
# The issue-6 table, each scenario against nchan (raw, port $NCHAN_PORT) and lhttp (port $LHTTP_PORT)
# alternately, with the same load tool. Result lines go to stdout; progress to stderr.
# Usage: LHTTP_PID=<pid of lhttp java> bench/scenarios.sh [scenario...]   (default: all)
cd "$(dirname "$0")/.."
NCHAN_PORT="${NCHAN_PORT:-18890}"
LHTTP_PORT="${LHTTP_PORT:-18801}"
NCHAN_PIDS="$(bench/nchan.sh pids)"
run() { # name, then load tool arguments without target/port
  name=$1; shift
  echo "## $name nchan"; bench/load.sh target=raw port="$NCHAN_PORT" "$@" server-pid="$NCHAN_PIDS" | sed "s/^RESULT /RESULT $name nchan /"
  echo "## $name lhttp"; bench/load.sh target=lhttp port="$LHTTP_PORT" "$@" server-pid="$LHTTP_PID" | sed "s/^RESULT /RESULT $name lhttp /"
}
for s in ${@:-fanout100 fanout1 http100 latency connections slow}; do
  case $s in
    fanout100)   run $s mode=fanout subs=100 messages=10000 size=100 publisher=ws ;;
    fanout1)     run $s mode=fanout subs=1 messages=30000 size=100 publisher=ws ;;
    http100)     run $s mode=fanout subs=100 messages=${HTTP_MESSAGES:-4000} size=100 publisher=http concurrency=4 ;;
    latency)     run $s mode=latency subs=1 rate=1000 messages=10000 size=100 ;;
    connections) run $s mode=connections connections=10000 open-concurrency=16 settle=15 ;;
    slow)        # 100 readers, without and then with one subscriber that never reads (2 KB messages fill its buffers)
                 run slow-none mode=fanout subs=100 messages=3000 size=2000 publisher=ws
                 run slow-one mode=fanout subs=100 messages=3000 size=2000 publisher=ws stalled=1 ;;
  esac
done
