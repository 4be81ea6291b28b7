#!/usr/bin/env bash
# SASRec / GRU4Rec on ML-100k, llmd4rec vs RecBole 1.2.1, to convergence and over several seeds, on this 2-core CPU,
# continued across working days: the CPU counterpart of gpu_crm_vs_recbole.sh (same 15 runs, same protocol: epoch cap
# 200, early stopping on valid NDCG@10 with patience 10, seeds 1 2 3, no time budget).
#
#   setsid nohup bash benchmarks/cpu_crm_vs_recbole.sh [RESULTS_DIR] > runs/bench/cpu.log 2>&1 &
#
# RESULTS_DIR defaults to benchmarks/results/cpu_converged. The runs go through a queue, LANES (default 2) at a time,
# one thread each; within a seed the pairs first (RecBole SASRec, ours, RecBole GRU4Rec, ours), then our SASRec with
# RecBole's position numbering. A run whose JSON says status "done" is skipped, so rerunning the command continues
# where the last working day ended: RecBole's runs (~2-3 min per SASRec epoch here) resume from the checkpoint written
# after every epoch (runs/bench/<name>.ckpt.pt, not committed), ours (1-2 min per epoch) too (crm_vs_recbole.py ours
# --checkpoint, i.e. llmd4rec.crm.fit(checkpoint=...)); a run cut off mid-epoch loses only that epoch.
# `crm_vs_recbole.py report --results-dir RESULTS_DIR` summarises whatever has finished (mean ± std per side) whenever
# it is run; each run ends by rewriting RESULTS_DIR/crm_vs_recbole.md.
#
# Knobs (environment): PY (.venv/bin/python), PY_RECBOLE (/work/venvs/recbole/bin/python: a venv with recbole==1.2.1
# installed --no-deps, see run_recbole_bench.sh), SEEDS ("1 2 3"), EPOCHS (200), LANES (2), RUNS (all of:
# recbole_sasrec recbole_gru4rec ours_sasrec ours_sasrec_start ours_gru4rec), CKPT_DIR (runs/bench).
set -uo pipefail
cd "$(dirname "$0")/.."
export RESULTS=$(mkdir -p "${1:-benchmarks/results/cpu_converged}" && cd "${1:-benchmarks/results/cpu_converged}" && pwd)
export PY=${PY:-.venv/bin/python} PY_RECBOLE=${PY_RECBOLE:-/work/venvs/recbole/bin/python}
export EPOCHS=${EPOCHS:-200} CKPT_DIR=${CKPT_DIR:-runs/bench}
SEEDS=${SEEDS:-1 2 3}; LANES=${LANES:-2}
RUNS=${RUNS:-recbole_sasrec recbole_gru4rec ours_sasrec ours_sasrec_start ours_gru4rec}
mkdir -p "$CKPT_DIR"

one() {  # one run, by name (e.g. recbole_sasrec_seed2); skipped when its JSON says done
  local name=$1 s=${1##*_seed} kind=${1%_seed*}
  if [ -f "$RESULTS/$name.json" ] && grep -q '"status": "done"' "$RESULTS/$name.json"; then
    echo "$(date +%T) skip $name (done)"; return 0
  fi
  echo "$(date +%T) start $name"
  local cmd
  case $kind in
    recbole_sasrec|recbole_gru4rec)
      local m=SASRec; [ "$kind" = recbole_gru4rec ] && m=GRU4Rec
      cmd=("$PY_RECBOLE" benchmarks/recbole_side.py --model "$m" --data-dir data/cache/recbole --epochs "$EPOCHS"
           --seed "$s" --threads 1 --out "$RESULTS/$name.json" --checkpoint "$CKPT_DIR/$name.ckpt.pt") ;;
    ours_sasrec)       cmd=("$PY" benchmarks/crm_vs_recbole.py ours --model sasrec) ;;
    ours_sasrec_start) cmd=("$PY" benchmarks/crm_vs_recbole.py ours --model sasrec --positions start) ;;
    ours_gru4rec)      cmd=("$PY" benchmarks/crm_vs_recbole.py ours --model gru4rec) ;;
    *) echo "unknown run $name"; return 1 ;;
  esac
  [ "${kind%%_*}" = ours ] && cmd+=(--epochs "$EPOCHS" --seed "$s" --threads 1 --results-dir "$RESULTS" --no-progress
                                     --checkpoint "$CKPT_DIR/$name.ckpt.pt")
  OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1 "${cmd[@]}" >>"$RESULTS/$name.log" 2>&1
  local rc=$?
  echo "$(date +%T) end $name: exit $rc"
  "$PY" benchmarks/crm_vs_recbole.py report --results-dir "$RESULTS" >/dev/null
  return $rc
}
export -f one

names=()
for s in $SEEDS; do
  for k in recbole_sasrec ours_sasrec recbole_gru4rec ours_gru4rec ours_sasrec_start; do
    case " $RUNS " in *" $k "*) names+=("${k}_seed$s") ;; esac
  done
done
printf '%s\n' "${names[@]}" | xargs -P "$LANES" -n 1 bash -c 'one "$0"'
