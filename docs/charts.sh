#!/bin/sh
# Regenerates every PNG chart under docs/ from the packaged jar (build it first with
# `mvn -q -DskipTests package`). The seed experiment's numbers and histories do not change; only
# the charts do when their drawing changes.
set -e
cd "$(dirname "$0")/.."
run() { java --add-modules jdk.incubator.vector -jar target/epochflux.jar "$@"; }
# history.png of each of the seed's three runs, and val_loss.png over them
run experiment --out docs/results
# a rerun's report.json differs in its timings and machine, model.zip in its zip entries' times:
# keep the recorded ones, so that only the charts change
if git rev-parse --git-dir >/dev/null 2>&1; then
    git checkout -- 'docs/results/*/report.json' 'docs/results/*/model.zip'
fi
# a regression (mae) with a learning rate lowered on plateaus and the best weights restored
run train --csv src/test/resources/tabular/diabetes.csv --label progression --task regression --hidden 16 \
    --optimizer adam --lr 0.01 --reduce-lr-on-plateau --lr-patience 5 --lr-factor 0.5 --patience 20 \
    --restore-best-weights --epochs 500 --quiet --out docs/charts/regression
# sweep.png: 12 trials under successive halving
run sweep --hidden 2,8,32,32-16 --lr 0.01,0.1,0.5 --pruner sh --epochs 60 --no-early-stopping --quiet \
    --out docs/charts/sweep
