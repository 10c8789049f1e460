#!/bin/sh
# Runs one attack of docs/RELIABILITY.md (tools/java/io/lhttp/load/Attack.java) beside a canary chat.
# Needs once: mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: bench/attack.sh mode=unfinished port=18801 server-pid=<pid> attackers=1000
set -e
cd "$(dirname "$0")/.."
exec java ${ATTACK_JAVA_OPTS:--Xmx2g -Xss256k} \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.lhttp.load.Attack "$@"
