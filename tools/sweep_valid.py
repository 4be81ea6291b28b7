"""Choose T and λ (and look at the LLM's learning rate) on the VALIDATION split: `llmd4rec.experiments.run_sweep`
(nbs/07_experiments.ipynb, "Choosing T and λ on validation") for seed 1, SASRec, CPU_SCALE. It forks the experiment's
run folders in runs/exp (run `tools/run_experiment.sh` first, at least for seed 1's warmup, one_way and rounds1).
One JSON per setting in data/results/sweep/sasrec/; finished settings are skipped, so rerun it to continue:
    setsid nohup .venv/bin/python tools/sweep_valid.py > runs/sweep/log.txt 2>&1 &
Arguments: the setting names to run (default: all of SWEEP, in order); --results/--runs/--exp-runs change the folders,
--set FIELD=VALUE changes a CPU_SCALE field as in `python -m llmd4rec.experiments` (e.g. --set 'device="cuda"').
"""
import argparse, time
from llmd4rec.experiments import run_sweep, scale_config

if __name__ == '__main__':
    p = argparse.ArgumentParser(prog='tools/sweep_valid.py', description=__doc__.split('\n')[0])
    p.add_argument('names', nargs='*'); p.add_argument('--results', default='data/results/sweep')
    p.add_argument('--runs', default='runs/sweep'); p.add_argument('--exp-runs', default='runs/exp')
    p.add_argument('--crm', default='sasrec'); p.add_argument('--set', nargs='*', default=[], metavar='FIELD=VALUE')
    a = p.parse_args()
    try: cfg = scale_config(a.set, crm=a.crm)
    except ValueError as e: p.error(str(e))
    run_sweep(cfg, names=a.names or None, results=a.results, runs=a.runs, exp_runs=a.exp_runs,
              log=lambda s: print(time.strftime('%H:%M:%S'), s, flush=True))
