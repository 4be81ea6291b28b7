#!/usr/bin/env bash
# RecBole side of the ML-100k benchmark: SASRec then GRU4Rec, one thread each, seed 2026.
# Epoch caps chosen so both runs fit in the working day on the loaded 2-core dev machine (GRU4Rec was cut from 20 to 8)
# (smoke run: SASRec ~274 s/epoch train, GRU4Rec ~84 s/epoch train, eval < 0.3 s).
set -u
cd "$(dirname "$0")/.."
PY=${PY:-/work/venvs/recbole/bin/python}
SASREC_EPOCHS=${SASREC_EPOCHS:-12}
GRU4REC_EPOCHS=${GRU4REC_EPOCHS:-8}
mkdir -p benchmarks/results
"$PY" benchmarks/recbole_side.py --model SASRec --data-dir data/cache/recbole \
  --epochs "$SASREC_EPOCHS" --seed 2026 --threads 1 \
  --out benchmarks/results/recbole_sasrec.json > benchmarks/results/recbole_sasrec.log 2>&1
"$PY" benchmarks/recbole_side.py --model GRU4Rec --data-dir data/cache/recbole \
  --epochs "$GRU4REC_EPOCHS" --seed 2026 --threads 1 \
  --out benchmarks/results/recbole_gru4rec.json > benchmarks/results/recbole_gru4rec.log 2>&1
