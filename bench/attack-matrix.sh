#!/bin/sh
# Issue 18's attacks against target/lhttp.jar (Payara Micro), each on a freshly started server beside a
# canary chat and a new connection every second (bench/attack.sh), at each heap and from each number
# of client addresses; the heap is read again two minutes after the attack (settle=120). One RESULT
# line per run on stdout, prefixed with the attack, the heap and the sources.
# Needs once: mvn -o -q package -DskipTests && mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: flock /work/notes/bench.lock bench/attack-matrix.sh
#        HEAPS="256m 1g" SOURCES="1 16" ATTACKS="cap stall unfinished history" PORT=27480 SETTLE=120
# Attacks: cap (1: 3.99 MB frames, 2 MB of each sent), stall (3: 250 readers that stop reading, 64 KB frames),
# unfinished (4: 1,280 connections with 0.99 MiB unfinished frames), history (5: 200 history channels x 100 x 65 KB).
cd "$(dirname "$0")/.."
PORT="${PORT:-27480}"
for heap in ${HEAPS:-256m 1g}; do
  for sources in ${SOURCES:-1 16}; do
    for a in ${ATTACKS:-cap stall unfinished history}; do
      opts="-Xms$heap -Xmx$heap"
      case $a in
        cap)        args="mode=unfinished attackers=300 frame=3990000 hold=20" ;;
        stall)      args="mode=stall stalled=250 messages=200 size=65000" ;;
        unfinished) args="mode=unfinished attackers=1280 frame=1038090 hold=30" ;;
        history)    args="mode=history channels=200 messages=100 size=65000"; opts="$opts -Dlhttp.history.channels=hist.*" ;;
        *) echo "unknown attack $a" >&2; exit 2 ;;
      esac
      pid=$(LHTTP_JAVA_OPTS="$opts" PORT=$PORT bench/lhttp.sh) || { echo "RESULT $a heap=$heap sources=$sources {\"error\":\"server did not start\"}"; continue; }
      echo "## $a heap=$heap sources=$sources (server pid $pid): $args" >&2
      bench/attack.sh port=$PORT server-pid=$pid sources=$sources settle=${SETTLE:-120} $args \
        | sed "s/^RESULT /RESULT $a heap=$heap sources=$sources /"
      log="target/bench-lhttp-$PORT.log"
      echo "LOG $a heap=$heap sources=$sources stack_lines=$(grep -c '^	at ' "$log") npe=$(grep -c NullPointerException "$log") oom=$(grep -c OutOfMemoryError "$log")"
      kill "$pid" 2>/dev/null; while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done
      cp "$log" "target/attack-$a-$heap-$sources.log"
    done
  done
done
