# Developer shortcuts. The notebooks in nbs/ are the source: see README.md.
#
#   make docs            the docs site in _docs/ from the notebooks, without Quarto (MathJax from npm, once, into .cache/npm)
#   make serve-docs      the same, served on http://127.0.0.1:8000/
#   make test            the test suite (every notebook, plus end-to-end tests)
#   make dist            wheel and sdist in dist/
#   make readme          README.md from nbs/index.ipynb
#
# Benchmarks (nbs/benchmarks.ipynb shows their stored results; each writes benchmarks/results/):
#   make recbole-venv    RecBole 1.2.1 in its own venv, .venvs/recbole (git-ignored): the baseline, never a dependency
#   make bench-crm       SASRec/GRU4Rec vs RecBole to convergence, seeds 1-3, 2 runs at a time, resumable (hours on 2 cores)
#   make bench-crm-capped   the same at seed 2026 with epoch caps 12 (SASRec) and 8 (GRU4Rec)
#   make bench-eval      full-ranking evaluation speed vs RecBole, same weights, one process
#   make bench-anomaly   what RecBole's autograd anomaly mode costs its training step, against ours
#   make bench-distill   distillation overhead on the CRM (and of kd_items='scored'), teacher cache memory, serving cost;
#                        LLM teacher cache speed
#   make bench-scale     evaluation and teacher cache on 200k items x 50k users in bounded memory
#   make bench-serve     recommend() latency and throughput, PyTorch vs ONNX Runtime (needs the serve extra)
#   make bench-coverage  the LLM's training and teacher-cache prefixes/s, sequence vs prompt layout, and bf16 vs float32 (about 10 minutes)
#   make bench-padding   SASRec with the padding cut vs the whole padded batch, on ML-100k and on $(BEAUTY)
# Knobs: PYTHON (python), BEAUTY (../shared/datasets/amazon-beauty: a folder you bring), RECBOLE_PYTHON (.venvs/recbole/bin/python), SEEDS ("1 2 3"), LANES (2), DEVICE (cpu).
PYTHON ?= python
RECBOLE_VENV ?= .venvs/recbole
RECBOLE_PYTHON ?= $(RECBOLE_VENV)/bin/python
SEEDS ?= 1 2 3
LANES ?= 2
DEVICE ?= cpu
BEAUTY ?= ../shared/datasets/amazon-beauty
export RECBOLE_PYTHON

.PHONY: docs serve-docs test dist readme recbole-venv bench-data bench-crm bench-crm-capped bench-eval bench-anomaly bench-distill bench-scale bench-serve bench-coverage bench-padding

docs:
	$(PYTHON) tools/build_docs.py

serve-docs: docs
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _docs

test:
	$(PYTHON) -m pytest tests

dist:
	$(PYTHON) -m build

readme:
	$(PYTHON) tools/make_readme.py

# RecBole 1.2.1 without its pinned dependencies (--no-deps), plus what its sequential models and trainer import,
# and what llmd4rec's data/crm/metrics modules need (the benchmarks import llmd4rec from this checkout).
$(RECBOLE_PYTHON):
	$(PYTHON) -m venv $(RECBOLE_VENV)
	$(RECBOLE_PYTHON) -m pip install -q torch==2.13.0 numpy pandas tqdm pyyaml scipy scikit-learn colorlog colorama \
	    texttable tensorboard thop tabulate plotly
	$(RECBOLE_PYTHON) -m pip install -q --no-deps recbole==1.2.1

recbole-venv: $(RECBOLE_PYTHON)

# The shared 5-core ML-100k split as a RecBole atomic file, in data/cache/recbole (git-ignored)
bench-data:
	$(PYTHON) benchmarks/ml100k_atomic.py data/cache/recbole

bench-crm: recbole-venv bench-data
	$(PYTHON) benchmarks/crm_vs_recbole.py all --seeds $(SEEDS) --lanes $(LANES) --device $(DEVICE)

bench-crm-capped: recbole-venv bench-data
	$(PYTHON) benchmarks/crm_vs_recbole.py all --results-dir benchmarks/results --seeds 2026 --epochs 12 --lanes 1 \
	    --runs recbole_sasrec ours_sasrec
	$(PYTHON) benchmarks/crm_vs_recbole.py all --results-dir benchmarks/results --seeds 2026 --epochs 8 --lanes 1 \
	    --runs recbole_gru4rec ours_gru4rec

bench-eval: recbole-venv bench-data
	OMP_NUM_THREADS=1 $(RECBOLE_PYTHON) benchmarks/eval_speed.py --label after
	OMP_NUM_THREADS=1 $(RECBOLE_PYTHON) benchmarks/eval_speed.py --identity-only --models SASRec --label identity_positions

bench-anomaly: recbole-venv bench-data
	$(RECBOLE_PYTHON) benchmarks/recbole_anomaly.py --repeats 9 --threads 1

bench-distill:
	$(PYTHON) benchmarks/distill_overhead.py
	$(PYTHON) benchmarks/teacher_cache_llm.py --samples 64
	$(PYTHON) benchmarks/kd_scored.py

bench-scale:
	$(PYTHON) benchmarks/catalogue_scale.py

bench-serve:
	$(PYTHON) benchmarks/serve_latency.py

bench-coverage:
	$(PYTHON) benchmarks/llm_coverage.py
	$(PYTHON) benchmarks/llm_bf16.py

bench-padding:
	$(PYTHON) benchmarks/crm_padding.py --dataset ml-100k
	$(PYTHON) benchmarks/crm_padding.py --dataset $(BEAUTY)
