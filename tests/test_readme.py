"""The README's Python quick start runs as a user types it: on the synthetic data and the tiny LM, at small sizes.

Each ```python block of README.md is rewritten (built-in dataset -> 'synthetic', built-in LLM -> 'tiny', sizes
shrunk, keyword arguments of `Config(...)` and `train_crm(...)` replaced or added), run in a subprocess with this
interpreter in a folder under pytest's tmp_path (so its relative output folders land there), and every expression
statement it ends on (`res['crm']['test']`, ...) is printed as JSON for the assertions.
"""
import ast, importlib, json, os, re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r'^```python\n(.*?)^```', (ROOT/'README.md').read_text(), re.S | re.M)
NAMES = {'ml-100k': 'synthetic', 'smollm2': 'tiny'}   # built-in data and LLM -> ones that need no download
SMALL = {   # keyword arguments set in these calls, whatever the README gives
    'Config': dict(dataset='synthetic', llm='tiny', rounds=1, crm_epochs=2, crm_round_epochs=1, patience=2, llm_epochs=1,
                   llm_batch_size=32, history_len=6, n_titles=0, top_k=10, recent=1, max_train_samples=64, max_eval_samples=32),
    'train_crm': dict(epochs=2, progress=False),
}
SHOW = 'README_SHOWS '

class Shrink(ast.NodeTransformer):
    def visit_Constant(self, node):
        return ast.copy_location(ast.Constant(NAMES[node.value]), node) if node.value in NAMES else node
    def visit_Call(self, node):
        self.generic_visit(node)
        name = getattr(node.func, 'id', getattr(node.func, 'attr', None))
        if name in SMALL:
            node.keywords = [k for k in node.keywords if k.arg not in SMALL[name]]
            node.keywords += [ast.keyword(k, ast.Constant(v)) for k, v in SMALL[name].items()]
        return node

def runnable(block: str) -> str:
    "The block with small sizes, and each top-level expression statement printed as one JSON line."
    tree = Shrink().visit(ast.parse(block))
    show = ast.parse(f'def _show(x): print({SHOW!r} + __import__("json").dumps(x), flush=True)').body
    tree.body = show + [ast.Expr(ast.Call(ast.Name('_show', ast.Load()), [s.value], [])) if isinstance(s, ast.Expr) else s
                        for s in tree.body]
    return ast.unparse(ast.fix_missing_locations(tree))

def test_readme_has_quick_start():
    assert BLOCKS and any('Trainer(' in b for b in BLOCKS), 'README.md has no ```python quick start with Trainer'
    assert all('ml-100k' in b for b in BLOCKS), 'every quick start block runs on the built-in dataset'

@pytest.mark.parametrize('i', range(len(BLOCKS)))
def test_readme_python_block(i, tmp_path):
    block = BLOCKS[i]
    code = runnable(block)
    (tmp_path/'readme_block.py').write_text(code)
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='2', TQDM_DISABLE='1',
               LLMD4REC_HOME=os.environ.get('LLMD4REC_HOME', str(tmp_path/'home')))
    r = subprocess.run([sys.executable, 'readme_block.py'], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'README block {i} failed:\n{code}\n--- stderr\n{r.stderr[-3000:]}'
    shown = [json.loads(l[len(SHOW):]) for l in r.stdout.splitlines() if l.startswith(SHOW)]
    assert shown, f'README block {i} ends on no expression to show'
    for m in shown:   # every value the README shows is a dict of test metrics, each a rate in [0, 1]
        assert isinstance(m, dict) and {'HR@10', 'NDCG@10'} <= set(m), m
        assert all(0 <= v <= 1 for v in m.values()) and m['NDCG@10'] <= m['HR@10'], m
    outs = [p for p in tmp_path.rglob('metrics.json')]
    assert outs, f'README block {i} wrote no metrics.json under its output folder'
    for p in outs:
        saved = json.loads(p.read_text())
        assert saved['test'] in shown if 'test' in saved else saved['crm']['test'] in shown, (p, saved.keys())
