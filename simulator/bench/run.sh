#!/usr/bin/env bash
# Runs the two HTTP benchmarks of docs/benchmarks.md on this machine, one after the other.
# Needs Java 17 and Maven; HAProxy and nginx (Debian packages) for their columns, else skipped.
# Usage: simulator/bench/run.sh [OUT_DIR] [TRACE]   (from the repository root)
set -euo pipefail
out=${1:-target/bench}
trace=${2:-../shared/traces/azure-llm-2023/conv.csv}
for binary in haproxy nginx; do
  command -v "$binary" >/dev/null || [ -x "/usr/sbin/$binary" ] \
    || echo "note: $binary not installed (apt-get install -y $binary); its column is skipped"
done
mvn -B -q -pl crd,router,simulator -am package -DskipTests
java -jar simulator/target/sluice-sim.jar bench cluster --trace "$trace" \
  --engines 4 --kv-tokens 16000 --time-scale 4 --rate 32 --duration 30s --out "$out/cluster"
# Latency at fixed rates with the measuring JVM (load generator and backend) on ZGC: G1's pauses of
# up to tens of ms in that JVM landed in the p99 of whichever system was being measured, direct
# included. Saturation with the default collector: ZGC's concurrent work takes CPU from the proxies
# on a 2-core machine.
java -XX:+UseZGC -jar simulator/target/sluice-sim.jar bench overhead --parts rates --rates 200,1000 --duration 10s \
  --out "$out/overhead-latency"
java -jar simulator/target/sluice-sim.jar bench overhead --parts saturation --duration 10s --concurrency 64 \
  --out "$out/overhead-saturation"
