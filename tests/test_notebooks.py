"""Every notebook is a test: its cells run top to bottom (nbdev's runner), skipping cells flagged `slow` or `gpu`."""
from pathlib import Path
import pytest
from nbdev.test import test_nb as run_notebook

NBS = sorted((Path(__file__).resolve().parents[1]/'nbs').glob('*.ipynb'))

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_notebook(nb):
    ok, secs = run_notebook(nb, skip_flags=['slow', 'gpu'], showerr=True)
    assert ok, f'{nb.name} failed (see the traceback above)'
