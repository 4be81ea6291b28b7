import os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='session')
def root(): return ROOT

@pytest.fixture(scope='session')
def cli():
    "The installed `llmd4rec` console script of the running interpreter's environment."
    exe = Path(sys.executable).parent/'llmd4rec'
    if not exe.exists(): pytest.skip('the llmd4rec console script is not installed in this environment (pip install -e .)')
    return str(exe)
