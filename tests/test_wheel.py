"""Packaging: `python -m build` makes a wheel and an sdist; the wheel installs into a fresh venv without the dev
dependencies and its console script runs end to end. One build and one venv serve all the checks."""
import configparser, json, os, shutil, subprocess, sys, time, venv, zipfile, tarfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

def _version():
    cfg = configparser.ConfigParser(delimiters=['='])
    cfg.read(ROOT/'settings.ini', encoding='utf-8')
    return cfg['DEFAULT']['version']

def _run(cmd, timeout=900, **kw):
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, **kw)
    assert r.returncode == 0, f'{" ".join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}'
    return r

@pytest.fixture(scope='module')
def dist(tmp_path_factory):
    "The wheel and the sdist that `python -m build` makes from this checkout."
    pytest.importorskip('build', reason='the `build` package (a dev requirement) is needed to build the wheel')
    out = tmp_path_factory.mktemp('dist')
    t = time.time()
    _run([sys.executable, '-m', 'build', '--outdir', out, ROOT], cwd=ROOT)
    whl, = out.glob('llmd4rec-*.whl')
    sdist, = out.glob('llmd4rec-*.tar.gz')
    print(f'\nbuilt {whl.name} ({whl.stat().st_size/1024:.0f} KiB) and {sdist.name} ({sdist.stat().st_size/1024:.0f} KiB) '
          f'in {time.time()-t:.0f}s')
    return whl, sdist

@pytest.fixture(scope='module')
def env(dist, tmp_path_factory):
    "A fresh venv (no system site-packages) with the wheel installed, without its dev extra; yields its bin folder."
    d = tmp_path_factory.mktemp('venv')
    t = time.time()
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(d/'venv')
    py = d/'venv'/'bin'/'python'
    # torch first, pinned: this version is on local disk here, an unpinned one may pull a multi-GB CUDA build
    # one resolve; --no-compile: byte-compiling all of torch costs more than the few modules a run imports
    _run([py, '-m', 'pip', 'install', '-q', '--no-compile', 'torch==2.13.0', dist[0]])
    print(f'\nfresh venv with the wheel installed in {time.time()-t:.0f}s')
    return d/'venv'/'bin'

def test_wheel_contents(dist):
    "The wheel carries the package modules and nothing else (no notebooks, data, tests, caches); the sdist no data."
    whl, sdist = dist
    names = zipfile.ZipFile(whl).namelist()
    pkg = [n for n in names if not n.startswith('llmd4rec-')]
    assert 'llmd4rec/__init__.py' in pkg and 'llmd4rec/cli.py' in pkg and 'llmd4rec/_modidx.py' in pkg
    bad = [n for n in pkg if not (n.startswith('llmd4rec/') and n.endswith('.py')) or '__pycache__' in n]
    assert not bad, f'the wheel carries files it should not: {bad}'
    mods = {Path(n).stem for n in pkg}
    exported = {p.stem for p in (ROOT/'llmd4rec').glob('*.py')}
    assert mods == exported, f'wheel modules {sorted(mods)} != llmd4rec/*.py {sorted(exported)}'
    meta = zipfile.ZipFile(whl).read(f'llmd4rec-{_version()}.dist-info/METADATA').decode()
    assert 'Provides-Extra: dev' in meta and 'Requires-Dist: torch' in meta
    ep = zipfile.ZipFile(whl).read(f'llmd4rec-{_version()}.dist-info/entry_points.txt').decode()
    assert 'llmd4rec = llmd4rec.cli:main' in ep
    with tarfile.open(sdist) as tf: snames = [n.split('/', 1)[1] for n in tf.getnames() if '/' in n]
    assert {'settings.ini', 'setup.py', 'README.md', 'llmd4rec/__init__.py'} <= set(snames)
    sbad = [n for n in snames if n.split('/')[0] in ('data', 'nbs', '_docs', '_proc', '.venv', 'benchmarks', 'runs')
            or n.endswith(('.ipynb', '.pt', '.csv', '.parquet', '.zip', '.gguf'))]
    assert not sbad, f'the sdist carries files it should not: {sbad}'

def test_version(env, tmp_path):
    "`__version__` is settings.ini's version, read from the installed wheel, not from this checkout."
    r = _run([env/'python', '-c', 'import llmd4rec, sys; print(llmd4rec.__version__); print(llmd4rec.__file__)'], cwd=tmp_path)
    version, path = r.stdout.split()
    assert version == _version()
    assert Path(path).is_relative_to(env.parent), f'imported {path}, not the installed wheel'

def test_no_dev_dependencies(env):
    r = _run([env/'python', '-m', 'pip', 'list', '--format=json'])
    names = {p['name'].lower() for p in json.loads(r.stdout)}
    assert {'llmd4rec', 'torch', 'transformers', 'peft'} <= names
    assert not names & {'nbdev', 'pytest', 'execnb', 'hypothesis', 'nbconvert', 'recbole'}, names

def test_cli_end_to_end(env, tmp_path):
    "The installed console script: --help, then a tiny CRM training run on the synthetic dataset."
    r = _run([env/'llmd4rec', '--help'], cwd=tmp_path)
    assert 'train-crm' in r.stdout
    out = tmp_path/'run'
    _run([env/'llmd4rec', 'train-crm', '--dataset', 'synthetic', '--epochs', '1', '--out', out, '--no-progress'],
         cwd=tmp_path, timeout=600)
    res = json.loads((out/'metrics.json').read_text())
    assert (out/'model.pt').exists() and (out/'curve.png').exists()
    assert 'test' in res and all(0 <= v <= 1 for v in res['test'].values()), res

def test_run_tiny_end_to_end(env, tmp_path):
    "The whole method from the installed wheel: `llmd4rec run --llm tiny` on the synthetic data, one round."
    out = tmp_path/'llmd4rec'
    _run([env/'llmd4rec', 'run', '--dataset', 'synthetic', '--llm', 'tiny', '--out', out, '--rounds', '1', '--crm-epochs', '1',
          '--crm-round-epochs', '1', '--history-len', '6', '--n-titles', '0', '--top-k', '10', '--recent', '1',
          '--llm-batch-size', '32', '--max-train-samples', '64', '--max-eval-samples', '32', '--no-progress'], cwd=tmp_path, timeout=600)
    res = json.loads((out/'metrics.json').read_text())
    assert [h['step'] for h in res['history']] == ['crm_warmup', 'llm_warmup', 'r1_crm', 'r1_llm']
    assert all(0 <= v <= 1 for k in ('crm', 'llm') for v in res[k]['test'].values()), res
