#!/usr/bin/env bash
# SASRec / GRU4Rec on ML-100k, llmd4rec vs RecBole 1.2.1, to convergence and over several seeds, on one GPU.
#
# Runs, all at once, one process each (OMP_NUM_THREADS=$THREADS), epoch cap 200, early stopping on valid NDCG@10
# with patience 10 (the protocol of crm_vs_recbole.py), seeds 1 2 3:
#   RecBole SASRec, RecBole GRU4Rec, our SASRec (positions 'end' and 'start'), our GRU4Rec   -> 15 runs
# Each writes RESULTS_DIR/<name>.json (rewritten after every epoch) and RESULTS_DIR/<name>.log; then
# `crm_vs_recbole.py report` writes RESULTS_DIR/crm_vs_recbole.md (mean ± std per side).
#
#   bash benchmarks/gpu_crm_vs_recbole.sh RESULTS_DIR [WHEEL_DIR]       # WHEEL_DIR: $WHEELS, default .whl
#
# The device machine's python3 has torch, numpy, pandas, scipy, scikit-learn, pyyaml, tqdm, tensorboard, colorama,
# but not recbole, colorlog or texttable, and reaches no network. What recbole_side.py imports of RecBole 1.2.1 needs
# beside those only colorlog and texttable (recbole.utils imports them); thop (get_flops), plotly (hyper_tuning) and
# psutil (get_environment) are imported lazily by code this benchmark does not call, so they are left out. All three
# wheels are pure Python (~2.2 MB together). Prepare them ONCE on the dev machine, in the repo root (.whl/ is ignored):
#
#   python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
#       --platform manylinux2014_x86_64 --platform any -d .whl recbole==1.2.1 colorlog==6.12.0 texttable==1.7.2
#
# The data need no network either: the RecBole atomic file (data/cache/recbole, what both sides read) and llmd4rec's
# ml-100k cache ($LLMD4REC_HOME/datasets/ml-100k, checksum-verified) are built from the ml-100k copy inside the
# recbole wheel.
#
# On the device machine (carry [".whl"], timeout_s 600; only 8 files come back from $OUT, hence the tarball):
#
#   bash benchmarks/gpu_crm_vs_recbole.sh /tmp/crm_gpu .whl; rc=$?; tar -czf $OUT/crm_gpu.tgz -C /tmp/crm_gpu .; \
#   cp /tmp/crm_gpu/crm_vs_recbole.md $OUT/ 2>/dev/null; exit $rc
#
# Back here, unpack and report (the report can be rerun at any time; it writes RESULTS_DIR/crm_vs_recbole.md):
#
#   mkdir -p benchmarks/results/gpu && tar -xzf <files_at>/crm_gpu.tgz -C benchmarks/results/gpu
#   .venv/bin/python benchmarks/crm_vs_recbole.py report --results-dir benchmarks/results/gpu
#
# Time: every run has a training budget of BUDGET_S seconds (default 420: no epoch starts after it; the test metrics
# are then those of the best epoch so far and the JSON says stopped_by "time_budget", which the report counts), and
# is killed after HARD_S seconds (default 500; its JSON then stays status "running" and the report leaves it out).
# So the whole command takes at most about HARD_S + 30 s. The report's timings come from runs that shared one GPU and
# 16 CPU cores; compare them only with that in mind.
#
# Knobs (environment): PY (python3), PY_RECBOLE ($PY), DEVICE (cuda), SEEDS ("1 2 3"), EPOCHS (200), THREADS (2),
# BUDGET_S (420; 0 = none), HARD_S (500), RUNS (all of: recbole_sasrec recbole_gru4rec ours_sasrec ours_sasrec_start
# ours_gru4rec), PARALLEL (1; 0 runs one after another), SITE (/tmp/site, where the wheels are installed),
# LLMD4REC_HOME (~/.cache/llmd4rec).
# CPU dry run on the dev machine (one process at a time), e.g.:
#   PY=.venv/bin/python PY_RECBOLE=/work/venvs/recbole/bin/python DEVICE=cpu SEEDS=1 EPOCHS=1 THREADS=1 PARALLEL=0 \
#   RUNS=ours_gru4rec BUDGET_S=0 bash benchmarks/gpu_crm_vs_recbole.sh /tmp/crm_dry /tmp/whl
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
RESULTS=${1:?usage: gpu_crm_vs_recbole.sh RESULTS_DIR [WHEEL_DIR]}
WHEELS=${2:-${WHEELS:-.whl}}
PY=${PY:-python3}
PY_RECBOLE=${PY_RECBOLE:-$PY}
DEVICE=${DEVICE:-cuda}
SEEDS=${SEEDS:-1 2 3}
EPOCHS=${EPOCHS:-200}
THREADS=${THREADS:-2}
BUDGET_S=${BUDGET_S:-420}
HARD_S=${HARD_S:-500}
RUNS=${RUNS:-recbole_sasrec recbole_gru4rec ours_sasrec ours_sasrec_start ours_gru4rec}
PARALLEL=${PARALLEL:-1}
SITE=${SITE:-/tmp/site}
export LLMD4REC_HOME=${LLMD4REC_HOME:-$HOME/.cache/llmd4rec}
mkdir -p "$RESULTS"
RESULTS=$(cd "$RESULTS" && pwd)
T0=$(date +%s)
say() { echo "[$(( $(date +%s) - T0 ))s] $*"; }

# 1. RecBole and its two missing pure-Python dependencies, from the carried wheels
if compgen -G "$WHEELS/*.whl" >/dev/null; then
  "$PY_RECBOLE" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$SITE" "$WHEELS"/*.whl \
    || { echo "pip install of $WHEELS/*.whl failed"; exit 1; }
  export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}"
else
  say "no wheels in $WHEELS: using the recbole that $PY_RECBOLE has"
fi
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"   # llmd4rec from this checkout
RECBOLE_WHEEL=$(ls "$WHEELS"/recbole-1.2.1-*.whl data/cache/wheels/recbole-1.2.1-*.whl 2>/dev/null | head -1)
[ -n "$RECBOLE_WHEEL" ] || { echo "no recbole-1.2.1 wheel in $WHEELS or data/cache/wheels (the ml-100k data come from it)"; exit 1; }
say "recbole wheel: $RECBOLE_WHEEL; PYTHONPATH=$PYTHONPATH"
"$PY_RECBOLE" - "$DEVICE" <<'EOF' || exit 1
import sys, numpy as np
for n, v in {"float_": np.float64, "complex_": np.complex128, "unicode_": np.str_, "float": float, "int": int,
             "bool": bool, "object": object}.items():   # the NumPy-2 aliases recbole_side.py sets too
    if not hasattr(np, n): setattr(np, n, v)
import torch, recbole, colorlog, texttable
from recbole.config import Config
from recbole.data import create_dataset, data_preparation
from recbole.utils import early_stopping, get_model, get_trainer, init_seed
import recbole.trainer, recbole.model.sequential_recommender.sasrec, recbole.model.sequential_recommender.gru4rec
print('recbole', recbole.__version__, 'from', recbole.__file__, '| torch', torch.__version__, '| numpy', np.__version__,
      '| cuda available', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')
if sys.argv[1] != 'cpu' and not torch.cuda.is_available(): sys.exit(f'DEVICE={sys.argv[1]} but torch sees no GPU')
EOF

# 2. the data, built from the ml-100k copy in the recbole wheel (no network needed)
if [ ! -s data/cache/recbole/ml-100k-llmd4rec/ml-100k-llmd4rec.inter ]; then
  "$PY" benchmarks/ml100k_atomic.py data/cache/recbole --wheel "$RECBOLE_WHEEL" >/dev/null || { echo "building the atomic file failed"; exit 1; }
fi
"$PY" - "$RECBOLE_WHEEL" <<'EOF' || exit 1
import os, shutil, sys, tempfile, zipfile
from pathlib import Path
from llmd4rec.data import cache_home, _ml100k_checksum, ML100K_SHA256
dest = cache_home()/'datasets'/'ml-100k'
if not dest.exists():
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix='.ml-100k-'))
    with zipfile.ZipFile(sys.argv[1]) as z:
        for f in ('ml-100k.inter', 'ml-100k.item'): (tmp/f).write_bytes(z.read(f'recbole/dataset_example/ml-100k/{f}'))
    if _ml100k_checksum(tmp) != ML100K_SHA256: shutil.rmtree(tmp); sys.exit('ml-100k from the recbole wheel: checksum mismatch')
    os.replace(tmp, dest)
print('llmd4rec ml-100k:', dest)
EOF
say "data ready"

# 3. the runs
BUDGET=(); [ "$BUDGET_S" != 0 ] && BUDGET=(--time-budget "$BUDGET_S")
names=(); pids=()
launch() {  # name, command...
  local name=$1; shift
  case " $RUNS " in *" ${name%_seed*} "*) ;; *) return ;; esac
  say "start $name"
  if [ "$PARALLEL" = 1 ]; then
    OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS PYTHONUNBUFFERED=1 timeout -k 10 "$HARD_S" "$@" >"$RESULTS/$name.log" 2>&1 &
    names+=("$name"); pids+=($!)
  else
    OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS PYTHONUNBUFFERED=1 timeout -k 10 "$HARD_S" "$@" >"$RESULTS/$name.log" 2>&1
    say "end $name: exit $?"
  fi
}
for s in $SEEDS; do
  for m in SASRec GRU4Rec; do
    l=$(echo "$m" | tr A-Z a-z)
    launch "recbole_${l}_seed$s" "$PY_RECBOLE" benchmarks/recbole_side.py --model "$m" --data-dir data/cache/recbole \
      --epochs "$EPOCHS" --seed "$s" --threads "$THREADS" --device "$DEVICE" "${BUDGET[@]}" --out "$RESULTS/recbole_${l}_seed$s.json"
  done
  ours=("$PY" benchmarks/crm_vs_recbole.py ours --epochs "$EPOCHS" --seed "$s" --threads "$THREADS" --device "$DEVICE"
        "${BUDGET[@]}" --results-dir "$RESULTS" --no-progress)
  launch "ours_sasrec_seed$s" "${ours[@]}" --model sasrec
  launch "ours_sasrec_start_seed$s" "${ours[@]}" --model sasrec --positions start
  launch "ours_gru4rec_seed$s" "${ours[@]}" --model gru4rec
done
fail=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}"; rc=$?
  [ $rc = 0 ] || fail=1
  say "end ${names[$i]}: exit $rc$([ $rc = 124 ] && echo ' (killed at HARD_S)')"
done

# 4. summary and report
"$PY" - "$RESULTS" <<'EOF'
import json, sys
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob('*.json')):
    r = json.loads(p.read_text())
    t = r.get('test_metrics', {})
    print(f"{p.stem:28s} {r.get('status'):8s} {r.get('device', '?'):7s} epochs {len(r.get('epochs', [])):3d} best {r.get('best_epoch')} "
          f"stopped_by {r.get('stopped_by', '-'):14s} s/epoch {sum(r['train_seconds']) / max(1, len(r['train_seconds'])):6.2f} "
          f"test NDCG@10 {t.get('NDCG@10', float('nan')):.4f} HR@10 {t.get('HR@10', float('nan')):.4f}")
EOF
"$PY" benchmarks/crm_vs_recbole.py report --results-dir "$RESULTS" >/dev/null && say "report: $RESULTS/crm_vs_recbole.md"
say "done"
exit $fail
