"""Choose T and λ (and look at the LLM's learning rate) on the VALIDATION split: `llmd4rec.experiments.run_sweep`
(nbs/07_experiments.ipynb, "Choosing T and λ on validation") for seed 1, SASRec, CPU_SCALE. It forks the experiment's
run folders in runs/exp (run `tools/run_experiment.sh` first, at least for seed 1's warmup, one_way and rounds1).
One JSON per setting in data/results/sweep/sasrec/; finished settings are skipped, so rerun it to continue:
    setsid nohup .venv/bin/python tools/sweep_valid.py > runs/sweep/log.txt 2>&1 &
Optional arguments: the setting names to run (default: all of SWEEP, in order).
"""
import sys, time
from llmd4rec.trainer import Config
from llmd4rec.experiments import CPU_SCALE, run_sweep

if __name__ == '__main__':
    run_sweep(Config(**CPU_SCALE, crm='sasrec'), names=sys.argv[1:] or None,
              log=lambda s: print(time.strftime('%H:%M:%S'), s, flush=True))
