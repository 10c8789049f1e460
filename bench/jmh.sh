#!/bin/sh
# Runs the JMH codec benchmarks (src/test/java/io/lhttp/bench) with allocation profiling.
# Needs once: mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# Usage: bench/jmh.sh [JMH options], e.g. bench/jmh.sh CodecBenchmark.parseText -p frame=publish
set -e
cd "$(dirname "$0")/.."
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" org.openjdk.jmh.Main -prof gc "${@:-CodecBenchmark}"
