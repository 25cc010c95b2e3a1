#!/bin/bash
# SLO attainment of every policy on the shapes of issue 15, at loads 0.5 / 0.7 / 0.9 (sluice-sim
# compare, seed 1, llama3-8b-a100, SLO TTFT 2 s / TPOT 100 ms; Sluice runs with that SLO as its
# pool objective). Then Sluice alone with each of its mechanisms turned off, and with size-neutral
# shedding. Run from the repository root after `mvn -B -q package -DskipTests`, with ../shared beside it.
set -euo pipefail
SIM="java -jar simulator/target/sluice-sim.jar compare --seed 1 --threads 2"
TRACE=../shared/traces/azure-llm-2023/conv.csv
OUT=docs/benchmarks/slo
LOADS=0.5,0.7,0.9
$SIM --trace $TRACE --pods 8 --load $LOADS --out $OUT/conv-8pods
$SIM --trace $TRACE --pods 4 --load $LOADS --out $OUT/conv-4pods
$SIM --trace $TRACE --pods 4 --kv-tokens 16000 --load $LOADS --out $OUT/conv-4pods-16k
$SIM --workload bursts --requests 20000 --pods 8 --load $LOADS --out $OUT/bursts-8pods
$SIM --workload mix --requests 20000 --pods 8 --load $LOADS --out $OUT/mix-8pods
# Sluice's mechanisms one at a time, at load 0.9 (the shipped default is the last line).
for shape in "--trace $TRACE --pods 8" "--trace $TRACE --pods 4 --kv-tokens 16000" \
    "--workload bursts --requests 20000 --pods 8"; do
  echo "== $shape"
  $SIM $shape --load 0.9 --policies sluice --budget-limit fixed --on-miss none --out /tmp/slo-ablation | grep '^| sluice' | sed 's/^/fixed budget, no objective   /'
  $SIM $shape --load 0.9 --policies sluice --on-miss none --out /tmp/slo-ablation | grep '^| sluice' | sed 's/^/adaptive, no objective       /'
  $SIM $shape --load 0.9 --policies sluice --on-miss serve --out /tmp/slo-ablation | grep '^| sluice' | sed 's/^/adaptive, objective serve    /'
  $SIM $shape --load 0.9 --policies sluice --shedding size-neutral --out /tmp/slo-ablation | grep '^| sluice' | sed 's/^/adaptive, reject size-neutral/'
  $SIM $shape --load 0.9 --policies sluice --out /tmp/slo-ablation | grep '^| sluice' | sed 's/^/adaptive, reject goodput    /'
done
