#!/bin/bash
# What a session that is lent a GPU runs, prepared so the device time goes to the runs. Two calls of the `run` tool,
# the second within 30 s of the first (the machine stays warm that long), because one call carries at most 64 MiB and
# the built-in GGUF (98 MB) is split in two (.dev/part0, .dev/part1: `split -b 56000000` of the file in
# $LLMD4REC_HOME/models/smollm2; .dev/ and .whl/ are ignored by git):
#
#   call 1, carry [".dev/part0", ".dev/home", ".dev/gguf-0.19.0-py3-none-any.whl", ".whl"], timeout_s 120:
#       bash tools/gpu_session.sh prep
#   call 2, carry [".dev/part1"], timeout_s 600:
#       bash tools/gpu_session.sh run
#   (a call 3 within 30 s continues the same runs: they are resumable and skip what is finished)
#
# .dev/home is a copy of $LLMD4REC_HOME/datasets (ml-100k); .whl holds recbole 1.2.1, colorlog, texttable
# (the download command is in benchmarks/gpu_crm_vs_recbole.sh). `run` starts, at once:
#   1. issue 4's ablations (uniform, no_refresh, no_llm_kd) for SASRec seeds 1-3, then GRU4Rec seeds 1-3, at CPU_SCALE
#      on cuda, continuing the stored H100 results (data/results/exp_h100 is copied in, so finished variants are
#      skipped; their parents' run folders are not stored and are run again, on a GPU not bit for bit as before);
#   2. issue 2's converged comparison with RecBole (benchmarks/gpu_crm_vs_recbole.sh, 15 runs, 1 thread each);
#   3. (SASRec, after each seed's ablations) the sweep settings llm_T1 and llm_lam2 for that seed -> sweep_seed<s>/;
#   4. a stronger teacher (SASRec seeds 1-3: LLM on every user's 10 latest prefixes, 2 epochs) -> exp_strong/;
# and packs everything, every 30 s and at the end, into $OUT/gpu_session.tgz (no checkpoints). Back here:
#   mkdir -p /tmp/g && tar -xzf <files_at>/gpu_session.tgz -C /tmp/g
#   cp -rn /tmp/g/exp/. data/results/exp_h100/; cp -rn /tmp/g/exp_strong/. data/results/exp_h100_strong/   (new files only)
#   (the sweep's files: /tmp/g/sweep_seed<s>/sasrec/*.json, one folder per seed)
#   mkdir -p benchmarks/results/gpu && cp -r /tmp/g/crm_gpu/. benchmarks/results/gpu/ && \
#       .venv/bin/python benchmarks/crm_vs_recbole.py report --results-dir benchmarks/results/gpu
# Knobs: LIMIT_S (540: pack and stop this long after `run` starts), CRM_BUDGET_S (360: gpu_crm_vs_recbole.sh's
# BUDGET_S), SKIP_CRM=1 / SKIP_ABLATIONS=1 / SKIP_SWEEP=1 / SKIP_STRONG=1.
set -u
cd "$(dirname "$0")/.."
D=/tmp/dev; export LLMD4REC_HOME=$D/home HF_HUB_OFFLINE=1 PYTHONUNBUFFERED=1
GGUF=$LLMD4REC_HOME/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
case ${1:-} in
prep)
  mkdir -p "$D/home/models/smollm2" "$D/whl"
  cp -r .dev/home/. "$D/home/" && cp .dev/part0 "$D/part0" && cp .whl/*.whl "$D/whl/" || exit 1
  python3 -m pip install -q --no-deps --no-index --target /tmp/site .dev/gguf-0.19.0-py3-none-any.whl || exit 1
  nvidia-smi --query-gpu=name,memory.used,memory.total --format=csv,noheader
  ls -la "$D" "$D/whl"; echo "prep done: now call 2 (run) within 30 s" ;;
run)
  [ -f "$GGUF" ] || cat "$D/part0" .dev/part1 > "$GGUF" || exit 1
  sha256sum "$GGUF" | grep -q '^b179c952' || { echo "GGUF checksum mismatch: $(sha256sum "$GGUF")"; rm -f "$GGUF"; exit 1; }
  export PYTHONPATH=/tmp/site:$PWD OMP_NUM_THREADS=2 TQDM_MININTERVAL=20
  X=/tmp/gs; mkdir -p $X/exp $X/logs
  [ -f $X/.seeded ] || { cp -r data/results/exp_h100/. $X/exp/ && mkdir -p $X/exp_strong && cp -r data/results/exp_h100_strong/. $X/exp_strong/ \
                         && touch $X/.seeded; }
  T0=$(date +%s); pids=()
  if [ "${SKIP_ABLATIONS:-0}" != 1 ]; then
    for crm in sasrec gru4rec; do for s in 1 2 3; do
      { python3 -m llmd4rec.experiments --crm $crm --variants uniform no_refresh no_llm_kd --seeds $s \
          --results $X/exp --runs /tmp/gs_runs/exp --set 'device="cuda"'
        # then, SASRec only, the three-seed check of the CRM→LLM settings that the seed-1 sweep tilted towards
        [ $crm = sasrec ] && [ "${SKIP_SWEEP:-0}" != 1 ] && python3 -c "from llmd4rec.experiments import *
run_sweep(scale_config(['device=\"cuda\"'], crm='sasrec'), names=['llm_T1', 'llm_lam2'], seed=$s, results='$X/sweep_seed$s',
          runs='/tmp/gs_runs/sweep_seed$s', exp_runs='/tmp/gs_runs/exp', progress=False)"
      } > $X/logs/abl_${crm}_seed$s.txt 2>&1 & pids+=($!)
    done; done
  fi
  if [ "${SKIP_STRONG:-0}" != 1 ]; then   # a stronger teacher: the LLM trains on every user's 10 latest prefixes, 2 epochs
    for s in 1 2 3; do
      python3 -m llmd4rec.experiments --crm sasrec --variants warmup more_epochs one_way rounds1 llmd4rec --seeds $s \
        --results $X/exp_strong --runs /tmp/gs_runs/strong --set 'device="cuda"' max_train_samples=None recent=10 llm_epochs=2 \
        > $X/logs/strong_seed$s.txt 2>&1 & pids+=($!)
    done
  fi
  if [ "${SKIP_CRM:-0}" != 1 ]; then
    THREADS=1 BUDGET_S=${CRM_BUDGET_S:-360} HARD_S=$(( ${CRM_BUDGET_S:-360} + 80 )) \
      bash benchmarks/gpu_crm_vs_recbole.sh $X/crm_gpu $D/whl > $X/logs/crm_gpu.txt 2>&1 & pids+=($!)
  fi
  pack() { nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader >> $X/logs/gpu.txt 2>&1
           tar -czf "$OUT/gpu_session.tgz.tmp" -C $X --exclude='*.pt' --exclude=llm_best --exclude=llm_last . \
             && mv "$OUT/gpu_session.tgz.tmp" "$OUT/gpu_session.tgz"; }
  while :; do
    alive=0; for p in "${pids[@]}"; do kill -0 $p 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    [ $(( $(date +%s) - T0 )) -ge ${LIMIT_S:-540} ] && { echo "LIMIT_S reached: packing what is done"; break; }
    pack; sleep 30
  done
  pack; ls -R $X/exp | grep -c json; tail -n 3 $X/logs/*.txt ;;
*) echo "usage: tools/gpu_session.sh prep|run"; exit 2 ;;
esac
