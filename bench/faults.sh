#!/bin/sh
# The long randomized fault run of docs/RELIABILITY.md ("Faults: what a cluster guarantees"):
# three nats-server -js nodes (history stream, 3 replicas), three lhttp uberjars, clients publishing
# and recovering while faults are injected at random (seeded), then the checker over the whole history.
# Usage: bench/faults.sh [seconds=1800] [seed]   (on a shared machine: flock <lock> bench/faults.sh ...)
# Prints FAULTS-RESULT (and every violation) to target/failsafe-reports/io.lhttp.it.faults.FaultsIT-output.txt.
set -e
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-1800}
SEED=${2:-$(date +%s)}
exec mvn -o verify -Dit.test='FaultsIT#faultsMixedAtRandom' -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dinvoker.skip=true \
  -Dlhttp.faults.duration-s="$SECONDS_TO_RUN" -Dlhttp.faults.seed="$SEED"
