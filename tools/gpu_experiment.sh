#!/bin/bash
# The experiment of nbs/07_experiments.ipynb at CPU_SCALE on one GPU, as parallel processes (the models are small, so one
# process leaves the GPU mostly idle): SASRec seeds 1-3 and GRU4Rec seeds 1-3, all variants, one process each, and
# the T/λ sweep of seed 1 (two processes that start as soon as the runs they fork exist).
# Usage: tools/gpu_experiment.sh RESULTS RUNS [FIELD=VALUE ...]
#   RESULTS: result JSONs go to RESULTS/exp and RESULTS/sweep; RUNS: run folders and logs (RUNS/exp, RUNS/sweep, RUNS/logs)
#   FIELD=VALUE: more CPU_SCALE changes (a quick check: 'llm="tiny"' crm_epochs=2 ...)
# Finished runs are skipped, so it continues an interrupted experiment. Each process logs to RUNS/logs/<name>.txt.
# To add the missing runs (ablations, sweep settings) to the stored H100 results, start from copies of them:
#   mkdir -p X && cp -r data/results/exp_h100 X/exp && cp -r data/results/sweep_h100/. X/sweep && tools/gpu_experiment.sh X runs/h100
# (run folders are not stored: a missing variant's parents are run again, on GPUs not bit for bit as before; the sweep
# forks seed 1's SASRec warmup, one_way and rounds1 folders, so leave their result files out if it has settings to run).
set -u
cd "$(dirname "$0")/.."
R=$1; W=$2; shift 2
PY=${PYTHON:-python3}
SET=("device=\"${DEVICE:-cuda}\"" "$@")   # DEVICE=cpu: try the script without a GPU
mkdir -p "$W/logs" "$R"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2} PYTHONUNBUFFERED=1 TQDM_MININTERVAL=${TQDM_MININTERVAL:-20}
exp() { $PY -m llmd4rec.experiments "$@" --results "$R/exp" --runs "$W/exp" --set "${SET[@]}"; }
sweep() { $PY tools/sweep_valid.py "$@" --results "$R/sweep" --runs "$W/sweep" --exp-runs "$W/exp" --set "${SET[@]}"; }
waitfor() {   # until seed 1's SASRec run folder of variant $1 has its $2 steps; false if that process ended first
  while ! $PY -c "import json, sys; sys.exit(len(json.load(open('$W/exp/sasrec/$1/seed1/state.json'))['done']) != $2)" 2>/dev/null; do
    kill -0 "$first" 2>/dev/null || return 1; sleep 5; done; }
pids=()
for s in 1 2 3; do
  exp --crm sasrec --seeds $s > "$W/logs/sasrec_seed$s.txt" 2>&1 & pids+=($!); [ $s = 1 ] && first=$!
  exp --crm gru4rec --seeds $s > "$W/logs/gru4rec_seed$s.txt" 2>&1 & pids+=($!)
done
( waitfor warmup 2 && sweep lr_3e-3 lr_1e-3 lr_3e-4 lr_1e-4 lr_3e-5
  waitfor one_way 3 && sweep crm_T1 crm_T4 crm_lam2 crm_lam0.5 ) > "$W/logs/sweep_a.txt" 2>&1 & pids+=($!)
( waitfor rounds1 4 && sweep llm_T1 llm_T4 llm_lam2 llm_lam0.5 ) > "$W/logs/sweep_b.txt" 2>&1 & pids+=($!)
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
echo "gpu_experiment: all processes ended (rc $rc)" >> "$W/logs/driver.txt"
exit $rc
