#!/bin/bash
# One run, one table: nchan and lhttp on Payara Micro, WildFly and TomEE, each scenario measured on
# nchan right before the server, so every server figure has an nchan figure from the same minutes.
# Starts each server in turn (own ports, 127.0.0.1), waits until a WebSocket subscribe works, warms
# it up, runs the scenarios for each round, stops it (SIGTERM, wait), and prints one markdown table
# (also written to <out>/table.md). See docs/BENCHMARKS.md, "Containers".
#
# Usage: bench/containers.sh [key=value ...]
#   servers=payara,wildfly,tomee          which servers, in this order
#   scenarios=fanout100,fanout1,latency,connections,memory
#                                         fanout100 fanout1 http100 latency connections memory slow
#                                         fanout100b fanout1b: the same with batch frames (PROTOCOL.md §7)
#                                         headline, headline-plain: 10,000 messages, one publisher, one
#                                         subscriber, with and without batch frames
#                                         headline-warm: headline, run 5 times in one load-tool JVM,
#                                         the last run's figures (the tool's JIT warm)
#                                         (nchan gets the same run without batching: it has none)
#   rounds=3                              the table gives the median (and every round)
#   war=target/lhttp.war                  deployed to WildFly and TomEE; Payara runs jar= unless war= is given
#   jar=target/lhttp.jar                  the Payara Micro uberjar
#   heap="-Xms2g -Xmx2g"                  the same for every Java server
#   jvm="..."                             more JVM options for every Java server
#   payara_opts= wildfly_opts= tomee_opts=   more JVM options (-XX…, -Dkey=value) for one server
#   payara_args=                          more Payara Micro arguments, e.g. "--prebootcommandfile server-config/x.asadmin"
#   payara7_jar=~/.m2/.../payara-micro-7.2026.11.jar   server "payara7": this Payara Micro with war= deployed at /
#   payara7_java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java   (Payara 7 needs Java 21+), with the project's
#                                         pre/post-boot files and --nocluster, like the uberjar
#   base_jar=                             server "payara-base": another uberjar (e.g. main's), for before/after in one run
#   base_war=                             server "wildfly-base": WildFly with another WAR, for before/after in one run
#   connections=10000                     connections of the connections and memory scenarios
#   warmup=1                              one unrecorded fan-out and latency run before the rounds (0: none)
#   run_timeout=900                       seconds one load tool run may take (then: no result, "exit 124")
#   out=target/bench-containers/<UTC time>   results, logs and table
# Needs once: mvn -o -q package -DskipTests
#             mvn -o -q dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
#             apt-get install -y nginx libnginx-mod-nchan
# WildFly 39.0.1 and TomEE 9.0.0 MicroProfile are unpacked from ~/.m2 into target/bench-wildfly and
# target/bench-tomee on first use (mvn dependency:get -Dartifact=org.wildfly:wildfly-dist:39.0.1.Final:zip
# and -Dartifact=org.apache.tomee:apache-tomee:9.0.0:zip:microprofile fetch them from Maven Central).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD

servers=payara,wildfly,tomee
scenarios=fanout100,fanout1,latency,connections,memory
rounds=3
war=target/lhttp.war
war_given=
jar=target/lhttp.jar
heap="-Xms2g -Xmx2g"
jvm=
payara_opts=
payara_args=
payara7_jar=~/.m2/repository/fish/payara/extras/payara-micro/7.2026.11/payara-micro-7.2026.11.jar
payara7_java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
base_jar=
base_war=
wildfly_opts=
tomee_opts=
connections=10000
warmup=1
run_timeout=900
out="target/bench-containers/$(date -u +%Y%m%dT%H%M%SZ)"
for a in "$@"; do
  key=${a%%=*}; val=${a#*=}
  case $key in
    servers) servers=$val ;; scenarios) scenarios=$val ;; rounds) rounds=$val ;;
    war) war=$val; war_given=1 ;; jar) jar=$val ;; heap) heap=$val ;; jvm) jvm=$val ;;
    payara_opts) payara_opts=$val ;; payara_args) payara_args=$val ;;
    payara7_jar) payara7_jar=$val ;; payara7_java) payara7_java=$val ;; base_jar) base_jar=$val ;; base_war) base_war=$val ;; wildfly_opts) wildfly_opts=$val ;; tomee_opts) tomee_opts=$val ;;
    connections) connections=$val ;; warmup) warmup=$val ;; out) out=$val ;; run_timeout) run_timeout=$val ;;
    *) echo "unknown option: $a (see the head of $0)" >&2; exit 2 ;;
  esac
done

WILDFLY_ZIP=~/.m2/repository/org/wildfly/wildfly-dist/39.0.1.Final/wildfly-dist-39.0.1.Final.zip
TOMEE_ZIP=~/.m2/repository/org/apache/tomee/apache-tomee/9.0.0/apache-tomee-9.0.0-microprofile.zip
LHTTP_OPTS="-Dlhttp.max-messages-per-second=0 -Dlhttp.max-connections-per-address=100000" # back-to-back publisher: no 429s; all connections from 127.0.0.1
JAVA_FIXED="-XX:+ExitOnOutOfMemoryError" # a server out of heap ends (and shows as gone) instead of thrashing
mkdir -p "$out"
out=$(cd "$out" && pwd)
RESULTS="$out/results.txt"
: > "$RESULTS"
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

[ -f target/test-classpath.txt ] && [ -d target/test-classes ] || { echo "build first (see the head of $0)" >&2; exit 2; }
command -v nginx >/dev/null && [ -f /usr/lib/nginx/modules/ngx_nchan_module.so ] || { echo "needs nginx + libnginx-mod-nchan" >&2; exit 2; }
JAVA_BIN=$(readlink -f "$(command -v java)")
export JAVA_HOME=${JAVA_BIN%/bin/java}

# A free port in 20000-29999 (the management port of WildFly goes 1910 above, still below 32768).
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 10000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

# ---------------------------------------------------------------- nchan, for the whole run
NCHAN_PORT=$(free_port)
NCHAN_PREFIX="$out/nchan"
mkdir -p "$NCHAN_PREFIX/tmp"
sed "s/listen 127.0.0.1:18890;/listen 127.0.0.1:$NCHAN_PORT;/" bench/nchan.conf > "$NCHAN_PREFIX/nchan.conf"
nginx -p "$NCHAN_PREFIX" -c "$NCHAN_PREFIX/nchan.conf" || { echo "nginx did not start" >&2; exit 1; }
NCHAN_PID=$(cat "$NCHAN_PREFIX/nginx.pid")
for i in $(seq 1 50); do pgrep -P "$NCHAN_PID" >/dev/null && break; sleep 0.1; done # the worker forks after the master writes its pid
NCHAN_PIDS="$NCHAN_PID,$(pgrep -P "$NCHAN_PID" | paste -sd,)"

SPID= # the server's JVM
SHELL_PID= # what we started (the JVM itself, or the start script that waits for it)
stop_server() {
  [ -n "$SPID" ] || return 0
  log "stopping $SNAME (pid $SPID)"
  kill -TERM "$SPID" 2>/dev/null
  local i=0
  while kill -0 "$SPID" 2>/dev/null && [ $i -lt 120 ]; do sleep 0.5; i=$((i+1)); done
  kill -0 "$SPID" 2>/dev/null && { log "$SNAME did not stop in 60 s: SIGKILL"; kill -KILL "$SPID"; }
  wait "$SHELL_PID" 2>/dev/null
  SPID=; SHELL_PID=
}
cleanup() {
  stop_server
  [ -n "$NCHAN_PID" ] && kill -QUIT "$NCHAN_PID" 2>/dev/null
  NCHAN_PID=
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- servers
start_payara() {
  if [ -n "$war_given" ]; then
    java $heap $JAVA_FIXED $jvm $LHTTP_OPTS $payara_opts -jar target/payara-micro.jar --deploy "$war" --contextroot / \
      --nocluster --port "$SPORT" $payara_args > "$SLOG" 2>&1 &
  else
    java $heap $JAVA_FIXED $jvm $LHTTP_OPTS $payara_opts -jar "$jar" --port "$SPORT" $payara_args > "$SLOG" 2>&1 &
  fi
  SHELL_PID=$!
  SPID=$SHELL_PID
}

# Payara Micro 7 (Java 21+) with the WAR, set up as the uberjar is (pom.xml, exec "uberjar").
start_payara7() {
  "$payara7_java" $heap $JAVA_FIXED $jvm $LHTTP_OPTS $payara_opts -jar "$payara7_jar" --deploy "$war" --contextroot / \
    --nocluster --prebootcommandfile server-config/pre-boot-commands.txt \
    --postbootcommandfile server-config/post-boot-commands.asadmin --port "$SPORT" $payara_args > "$SLOG" 2>&1 &
  SHELL_PID=$!
  SPID=$SHELL_PID
}

# Another uberjar, e.g. built from main, to compare before and after in the same run.
start_payara_base() {
  java $heap $JAVA_FIXED $jvm $LHTTP_OPTS $payara_opts -jar "$base_jar" --port "$SPORT" $payara_args > "$SLOG" 2>&1 &
  SHELL_PID=$!
  SPID=$SHELL_PID
}

start_wildfly() {
  local home=target/bench-wildfly/wildfly-39.0.1.Final deploy=${1:-$war}
  if [ ! -d "$home" ]; then
    log "unpacking WildFly to target/bench-wildfly"
    mkdir -p target/bench-wildfly && unzip -q "$WILDFLY_ZIP" -d target/bench-wildfly || return 1
  fi
  rm -rf "$home/standalone/deployments/"*.war* "$home/standalone/data" "$home/standalone/tmp"
  cp "$deploy" "$home/standalone/deployments/ROOT.war"
  local offset=$((SPORT - 8080))
  rm -f "$out/wildfly.pid"
  # JBOSS_JAVA_SIZING goes into standalone.conf's default JAVA_OPTS, which keeps WildFly's own module flags
  JBOSS_JAVA_SIZING="$heap $JAVA_FIXED $jvm $wildfly_opts" LAUNCH_JBOSS_IN_BACKGROUND=1 JBOSS_PIDFILE="$out/wildfly.pid" \
    "$home/bin/standalone.sh" -c standalone-microprofile.xml -Djboss.socket.binding.port-offset="$offset" \
    -Djboss.bind.address=127.0.0.1 -Djboss.bind.address.management=127.0.0.1 $LHTTP_OPTS > "$SLOG" 2>&1 &
  SHELL_PID=$!
  local i=0
  while [ ! -s "$out/wildfly.pid" ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
  SPID=$(cat "$out/wildfly.pid" 2>/dev/null)
  [ -n "$SPID" ] || { SPID=$SHELL_PID; return 1; }
  log "WildFly management port: $((9990 + offset))"
}

start_tomee() {
  local home=target/bench-tomee/apache-tomee-microprofile-9.0.0
  if [ ! -d "$home" ]; then
    log "unpacking TomEE to target/bench-tomee"
    mkdir -p target/bench-tomee && unzip -q "$TOMEE_ZIP" -d target/bench-tomee || return 1
  fi
  chmod +x "$home"/bin/*.sh
  rm -rf "$home"/webapps/* "$home/work" "$home/temp"/* "$home/logs"/*
  mkdir -p "$home/temp"
  cp "$war" "$home/webapps/ROOT.war"
  # shutdown port off (SIGTERM stops it), the HTTP connector on our port, loopback only
  sed -e 's/<Server port="8005"/<Server port="-1"/' \
      -e "0,/<Connector port=\"8080\" protocol=\"HTTP\/1.1\"/s//<Connector port=\"$SPORT\" address=\"127.0.0.1\" protocol=\"HTTP\/1.1\"/" \
      <(unzip -p "$TOMEE_ZIP" apache-tomee-microprofile-9.0.0/conf/server.xml) > "$home/conf/server.xml"
  CATALINA_PID= JAVA_OPTS= CATALINA_OPTS="$heap $JAVA_FIXED $jvm $LHTTP_OPTS $tomee_opts" "$home/bin/catalina.sh" run > "$SLOG" 2>&1 &
  SHELL_PID=$!
  SPID=$SHELL_PID # catalina.sh run execs the JVM
}

# Until the page answers and one subscriber receives a published message (max 240 s).
await_ready() {
  local i=0
  until curl -sf -o /dev/null "http://127.0.0.1:$SPORT/"; do
    kill -0 "$SPID" 2>/dev/null || { echo "died during start-up"; return 1; }
    i=$((i+1)); [ $i -gt 480 ] && { echo "no HTTP answer after 240 s"; return 1; }
    sleep 0.5
  done
  local probe
  for i in $(seq 1 20); do
    probe=$(bench/load.sh target=lhttp port="$SPORT" mode=fanout subs=1 messages=10 timeout=5 2>&1) && return 0
    sleep 3
  done
  echo "HTTP answers but a WebSocket subscribe does not work: $(echo "$probe" | grep -m1 -i 'handshake\|exception\|RESULT' | cut -c1-200)"
  return 1
}

# ---------------------------------------------------------------- scenarios
# args_of <scenario>: the load tool arguments (without target, port)
args_of() {
  case $1 in
    fanout100) echo "mode=fanout subs=100 messages=10000 size=100 publisher=ws" ;;
    fanout1) echo "mode=fanout subs=1 messages=30000 size=100 publisher=ws" ;;
    fanout100b) echo "mode=fanout subs=100 messages=10000 size=100 publisher=ws batching=on" ;;
    fanout1b) echo "mode=fanout subs=1 messages=30000 size=100 publisher=ws batching=on" ;;
    headline) echo "mode=fanout subs=1 messages=10000 size=100 publisher=ws batching=on" ;;
    headline-plain) echo "mode=fanout subs=1 messages=10000 size=100 publisher=ws" ;;
    headline-warm) echo "mode=fanout subs=1 messages=10000 size=100 publisher=ws batching=on repeat=5" ;;
    http100) echo "mode=fanout subs=100 messages=4000 size=100 publisher=http concurrency=4" ;;
    latency) echo "mode=latency subs=1 rate=1000 messages=10000 size=100" ;;
    connections) echo "mode=connections connections=$connections open-concurrency=16 settle=5" ;;
    memory) echo "mode=memory connections=$connections open-concurrency=16 settle=20" ;;
    slow-none) echo "mode=fanout subs=100 messages=3000 size=2000 publisher=ws" ;;
    slow-one) echo "mode=fanout subs=100 messages=3000 size=2000 publisher=ws stalled=1" ;;
    *) return 1 ;;
  esac
}

# one <server> <round> <scenario> <nchan|server> : one load tool run, its result appended to RESULTS
one() {
  local server=$1 round=$2 scenario=$3 who=$4 args line rc
  args=$(args_of "$scenario")
  local runlog="$out/$server-$round-$scenario-$who.log"
  if [ "$who" = nchan ]; then
    line=$(timeout -k 10 "$run_timeout" bench/load.sh target=raw port="$NCHAN_PORT" ${args/ batching=on/} server-pid="$NCHAN_PIDS" 2>"$runlog")
  else
    line=$(timeout -k 10 "$run_timeout" bench/load.sh target=lhttp port="$SPORT" $args server-pid="$SPID" 2>"$runlog")
  fi
  rc=$?
  line=$(echo "$line" | grep -m1 '^RESULT ')
  if [ -n "$line" ]; then
    echo "R $server $round $scenario $who ${line#RESULT }" >> "$RESULTS"
    log "$server round $round $scenario $who: $(echo "${line#RESULT }" | cut -c1-220)"
  else
    local why
    why=$(grep -m1 -E 'Exception|Error|refused|failed' "$runlog" || tail -n1 "$runlog")
    echo "F $server $round $scenario $who load tool exit $rc: $(echo "$why" | cut -c1-160)" >> "$RESULTS"
    log "$server round $round $scenario $who: no result (exit $rc), see $runlog"
  fi
}

IFS=, read -r -a SERVER_LIST <<< "$servers"
IFS=, read -r -a SCENARIO_LIST <<< "$scenarios"
for s in "${SCENARIO_LIST[@]}"; do
  [ "$s" = slow ] || args_of "$s" >/dev/null || { echo "unknown scenario: $s" >&2; exit 2; }
done
expand() { for s in "${SCENARIO_LIST[@]}"; do [ "$s" = slow ] && echo "slow-none slow-one" || echo "$s"; done; }
STARTED=$(date -u +"%Y-%m-%d %H:%M")
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "results: $out (nchan on $NCHAN_PORT, pids $NCHAN_PIDS)"

for SNAME in "${SERVER_LIST[@]}"; do
  SPORT=$(free_port)
  SLOG="$out/$SNAME.log"
  log "starting $SNAME on 127.0.0.1:$SPORT"
  t0=$(date +%s)
  case $SNAME in
    payara) start_payara ;; wildfly) start_wildfly ;; tomee) start_tomee ;;
    payara7) start_payara7 ;; payara-base) start_payara_base ;; wildfly-base) start_wildfly "$base_war" ;;
    *) echo "unknown server: $SNAME" >&2; continue ;;
  esac
  started=$?
  if [ $started -ne 0 ] && why="start script failed (no JVM pid)" || ! why=$(await_ready); then
    log "$SNAME: $why (log: $SLOG)"
    for r in $(seq 1 "$rounds"); do for s in $(expand); do
      echo "F $SNAME $r $s server not started: $why" >> "$RESULTS"
    done; done
    stop_server
    continue
  fi
  echo "S $SNAME ready in $(( $(date +%s) - t0 )) s, pid $SPID, port $SPORT" >> "$RESULTS"
  log "$SNAME ready in $(( $(date +%s) - t0 )) s (pid $SPID)"
  if [ "$warmup" != 0 ]; then
    log "$SNAME warm-up (not recorded)"
    bench/load.sh target=lhttp port="$SPORT" mode=fanout subs=100 messages=10000 size=100 >/dev/null 2>&1
    bench/load.sh target=lhttp port="$SPORT" mode=latency subs=1 rate=1000 messages=3000 size=100 >/dev/null 2>&1
  fi
  for r in $(seq 1 "$rounds"); do
    for s in $(expand); do
      kill -0 "$SPID" 2>/dev/null || { echo "F $SNAME $r $s server server gone (see $SLOG)" >> "$RESULTS"; continue; }
      [ "$s" = memory ] || one "$SNAME" "$r" "$s" nchan # nchan has no JVM heap to read
      one "$SNAME" "$r" "$s" server
    done
  done
  stop_server
done
cleanup

{
  echo "bench/containers.sh, $STARTED–$(date -u +%H:%M) UTC, $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet 2>/dev/null || echo ' (modified)'), rounds: $rounds, load average at start / end: $LOAD_START / $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "- Java servers: $("$JAVA_BIN" -version 2>&1 | head -n1), heap \`$heap\`, \`$JAVA_FIXED\`${jvm:+, \`$jvm\`}, \`$LHTTP_OPTS\`; WAR: \`$war\`$([ -z "$war_given" ] && echo ", Payara: \`$jar\`")"
  [ -n "$payara_opts$payara_args" ] && echo "- Payara Micro also: \`$payara_opts $payara_args\`"
  [[ ,$servers, == *,payara7,* ]] && echo "- payara7: \`$(basename "$payara7_jar")\` on $("$payara7_java" -version 2>&1 | head -n1), WAR \`$war\`"
  [[ ,$servers, == *,payara-base,* ]] && echo "- payara-base: \`$base_jar\`"
  [[ ,$servers, == *,wildfly-base,* ]] && echo "- wildfly-base: \`$base_war\`"
  [ -n "$wildfly_opts" ] && echo "- WildFly 39.0.1 (standalone-microprofile.xml) also: \`$wildfly_opts\`"
  [ -n "$tomee_opts" ] && echo "- TomEE 9.0.0 MicroProfile also: \`$tomee_opts\`"
  echo "- nchan: $(nginx -v 2>&1 | sed 's/.*: //'), bench/nchan.conf; measured right before the server in each round"
  grep '^S ' "$RESULTS" | sed 's/^S /- /'
  echo
  java -cp target/test-classes io.lhttp.load.Report "$RESULTS"
} | tee "$out/table.md"
