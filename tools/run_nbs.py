"""Execute notebooks in place so that their saved outputs are current, skipping cells flagged `slow` or `gpu`
(those keep the outputs they have; every other cell's old output is cleared first, so a cell that now prints
nothing, e.g. a warning silenced, keeps nothing). Then run `nbdev_clean`.

Usage: python tools/run_nbs.py [nbs/03_data.ipynb ...]   (default: every notebook in nbs/)
"""
import os, sys, re
from pathlib import Path
from execnb.shell import CaptureShell

root = Path(__file__).resolve().parents[1]
SKIP = re.compile(r'^#\|\s*(slow|gpu)\b|nbdev_export\(', re.M)

def skip(cell): return cell.cell_type != 'code' or bool(SKIP.search(cell.source))

def clear(cell):
    "Drop the outputs of a cell that will run (execnb only replaces outputs when a cell prints something)."
    if not skip(cell): cell.outputs, cell.execution_count = [], None
    return skip(cell)

if __name__ == '__main__':
    nbs = [Path(p).resolve() for p in sys.argv[1:]] or sorted((root/'nbs').glob('*.ipynb'))
    for nb in nbs:
        nb = nb.resolve()
        print(f'executing {nb}', flush=True)
        os.chdir(nb.parent)   # as nbdev_test does: the notebooks' relative paths ('../data/...') start from nbs/
        CaptureShell(nb).execute(nb, nb, exc_stop=True, preproc=clear)
