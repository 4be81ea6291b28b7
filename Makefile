# Developer shortcuts. The notebooks in nbs/ are the source: see README.md.
PYTHON ?= python

.PHONY: docs serve-docs test dist

# The docs site in _docs/, from the notebooks, without Quarto (where Quarto exists, nbdev_docs builds it too).
docs:
	$(PYTHON) tools/build_docs.py

# Serve _docs/ on http://127.0.0.1:8000/
serve-docs: docs
	$(PYTHON) -m http.server 8000 --bind 127.0.0.1 --directory _docs

test:
	$(PYTHON) -m pytest tests

# Wheel and sdist in dist/
dist:
	$(PYTHON) -m build
