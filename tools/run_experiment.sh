#!/bin/bash
# The experiment of nbs/07_experiments.ipynb at CPU_SCALE, most important runs first; finished runs are skipped, so rerun it
# to continue (e.g. setsid nohup tools/run_experiment.sh > runs/exp/log.txt 2>&1 &).
# Order: seed 1's core variants, then the T/λ sweep on validation (it forks seed 1's runs), then seeds 2-3, the
# ablations, GRU4Rec.
cd "$(dirname "$0")/.."
CORE="warmup one_way more_epochs rounds1 llmd4rec more_epochs2"
.venv/bin/python -m llmd4rec.experiments --variants $CORE --seeds 1
.venv/bin/python tools/sweep_valid.py
.venv/bin/python -m llmd4rec.experiments --variants $CORE --seeds 2 3
.venv/bin/python -m llmd4rec.experiments --seeds 1 2 3
.venv/bin/python -m llmd4rec.experiments --crm gru4rec --variants $CORE --seeds 1 2 3
