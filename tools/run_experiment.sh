#!/bin/bash
# The experiment of nbs/07_experiments.ipynb at CPU_SCALE, most important runs first; finished runs are skipped, so rerun it
# to continue (e.g. setsid nohup tools/run_experiment.sh > runs/exp/log.txt 2>&1 &).
cd "$(dirname "$0")/.."
.venv/bin/python -m llmd4rec.experiments --variants warmup one_way more_epochs rounds1 llmd4rec more_epochs2 --seeds 1 2 3
.venv/bin/python -m llmd4rec.experiments --seeds 1 2 3
.venv/bin/python -m llmd4rec.experiments --crm gru4rec --variants warmup one_way more_epochs rounds1 llmd4rec more_epochs2 --seeds 1 2 3
