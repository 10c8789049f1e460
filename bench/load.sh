#!/bin/sh
# Runs the load tool (tools/java/io/lhttp/load) from the test classpath, without Maven in the way.
# Needs once: mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: bench/load.sh mode=fanout target=lhttp port=18801 subs=100 messages=10000 size=100
set -e
cd "$(dirname "$0")/.."
exec java ${LOAD_JAVA_OPTS:--Xms256m -Xmx1g -XX:+UseParallelGC} \
  -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" io.lhttp.load.LoadTool "$@"
