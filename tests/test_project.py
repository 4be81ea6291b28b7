"""The project's own invariants: the package is exported from the notebooks, the README from index.ipynb."""
import shutil, subprocess, sys, filecmp
from pathlib import Path

def _diff(a: Path, b: Path):
    cmp = filecmp.dircmp(a, b, ignore=['__pycache__'])
    out = cmp.left_only + cmp.right_only + cmp.diff_files
    for sub in cmp.common_dirs: out += _diff(a/sub, b/sub)
    return out

def test_export_in_sync(root, tmp_path):
    for p in ('settings.ini', 'nbs', 'llmd4rec'): 
        (shutil.copytree if (root/p).is_dir() else shutil.copy)(root/p, tmp_path/p)
    nbdev_export = Path(sys.executable).parent/'nbdev_export'
    r = subprocess.run([str(nbdev_export)], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert _diff(root/'llmd4rec', tmp_path/'llmd4rec') == [], 'nbdev_export changes llmd4rec/: export the notebooks and commit'

def test_readme_in_sync(root):
    r = subprocess.run([sys.executable, str(root/'tools'/'make_readme.py'), '--check'], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

def test_version_single_source(root):
    import llmd4rec, configparser
    cfg = configparser.ConfigParser(); cfg.read(root/'settings.ini')
    assert llmd4rec.__version__ == cfg['DEFAULT']['version']
