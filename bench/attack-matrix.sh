#!/bin/sh
# Issue 18's attacks against target/lhttp.jar (Payara Micro), beside a canary chat and a new
# connection every second (bench/attack.sh), at each heap and from each number of client addresses.
# One server per heap and address count runs the attacks one after the other; each attack's heap is
# read again two minutes after it (settle=120), which is also the next one's "before" (history last:
# what it keeps is data, not a leak). A server that died is restarted for the next attack.
# One RESULT line per attack on stdout, prefixed with the attack, the heap and the sources, then a
# LOG line counting stack traces, NullPointerExceptions and OutOfMemoryErrors in the server's log.
# Needs once: mvn -o -q package -DskipTests && mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: flock /work/notes/bench.lock bench/attack-matrix.sh
#        HEAPS="256m 1g" SOURCES="1 16" ATTACKS="cap stall unfinished history" PORT=27480 SETTLE=120
# Attacks: cap (1: 300 connections, 3.99 MB frames of which all but a byte is sent), stall (3: 250 readers
# that stop reading, 200 frames of 64 KB), unfinished (4: 1,280 connections with 0.99 MiB unfinished
# frames), history (5: 200 history channels x 100 x 65 KB).
cd "$(dirname "$0")/.."
PORT="${PORT:-27480}"
log="target/bench-lhttp-$PORT.log"
for heap in ${HEAPS:-256m 1g}; do
  for sources in ${SOURCES:-1 16}; do
    pid=""
    for a in ${ATTACKS:-cap stall unfinished history}; do
      case $a in
        cap)        args="mode=unfinished attackers=300 frame=3990000 hold=20" ;;
        stall)      args="mode=stall stalled=250 messages=200 size=65000" ;;
        unfinished) args="mode=unfinished attackers=1280 frame=1038090 hold=30" ;;
        history)    args="mode=history channels=200 messages=100 size=65000" ;;
        *) echo "unknown attack $a" >&2; exit 2 ;;
      esac
      if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
        [ -n "$pid" ] && cp "$log" "target/attack-died-$heap-$sources-before-$a.log"
        pid=$(LHTTP_JAVA_OPTS="-Xms$heap -Xmx$heap -Dlhttp.history.channels=hist.*" PORT=$PORT bench/lhttp.sh) \
          || { echo "RESULT $a heap=$heap sources=$sources {\"error\":\"server did not start\"}"; pid=""; continue; }
      fi
      echo "## $(date -u +%T) $a heap=$heap sources=$sources (server pid $pid): $args" >&2
      before=$(grep -c '^	at ' "$log"); npe=$(grep -c NullPointerException "$log")
      bench/attack.sh port=$PORT server-pid=$pid sources=$sources settle=${SETTLE:-120} $args \
        | sed "s/^RESULT /RESULT $a heap=$heap sources=$sources /"
      echo "LOG $a heap=$heap sources=$sources new_stack_lines=$(( $(grep -c '^	at ' "$log") - before )) new_npe=$(( $(grep -c NullPointerException "$log") - npe )) oom=$(grep -c OutOfMemoryError "$log")"
    done
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null; while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done; fi
    cp "$log" "target/attack-matrix-$heap-$sources.log"
  done
done
