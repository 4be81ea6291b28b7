#!/usr/bin/env bash
# llmd4rec side of the ML-100k benchmark, same epoch caps as run_recbole_bench.sh, one thread each, seed 2026.
set -u
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
SASREC_EPOCHS=${SASREC_EPOCHS:-12}
GRU4REC_EPOCHS=${GRU4REC_EPOCHS:-8}
mkdir -p benchmarks/results
"$PY" benchmarks/crm_vs_recbole.py ours --model sasrec --epochs "$SASREC_EPOCHS" --threads 1 --no-progress > benchmarks/results/ours_sasrec.log 2>&1
"$PY" benchmarks/crm_vs_recbole.py ours --model gru4rec --epochs "$GRU4REC_EPOCHS" --threads 1 --no-progress > benchmarks/results/ours_gru4rec.log 2>&1
