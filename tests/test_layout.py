"""How the house reads (issue 16): each module imports only from chapters before it, stays short with short lines, and
every notebook shows its exported code at work right after defining it. Measured on the source, so it could fail."""
import ast, json, re
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(p for p in (ROOT/'llmd4rec').glob('*.py') if not p.name.startswith('_'))
NBS = sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))

def _cells(nb: Path) -> list: return [c for c in json.loads(nb.read_text())['cells'] if c['cell_type'] == 'code']
def _src(c) -> str: return ''.join(c['source'])
def _exported(c) -> bool: return bool(re.match(r'#\|\s*export\b', _src(c)))

def _chapter_order() -> dict:
    "Module name -> the position of the notebook that exports it, in reading order."
    order = {}
    for i, nb in enumerate(NBS):
        for c in _cells(nb):
            if m := re.match(r'#\|\s*default_exp\s+(\w+)', _src(c)): order[m[1]] = i
    return order

def _imports(p: Path) -> set:
    "The llmd4rec modules that `p` imports, at module level or inside functions."
    out = set()
    for node in ast.walk(ast.parse(p.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            mod = node.module if node.level == 0 else 'llmd4rec.' + node.module
            if mod.startswith('llmd4rec.'): out.add(mod.split('.')[1])
            elif mod == 'llmd4rec' or node.level == 1:
                out |= {a.name for a in node.names if (ROOT/'llmd4rec'/f'{a.name}.py').exists()}
        if isinstance(node, ast.Import):
            out |= {a.name.split('.')[1] for a in node.names if a.name.startswith('llmd4rec.')}
    return out

def test_modules_import_only_earlier_chapters():
    order = _chapter_order()
    bad = [(p.stem, m) for p in MODULES for m in _imports(p) if m in order and order[m] >= order[p.stem]]
    assert not bad, f'imports of a later (or the same) chapter, e.g. an import circle: {bad}'

@pytest.mark.parametrize('p', MODULES, ids=[p.stem for p in MODULES])
def test_module_size_and_lines(p):
    text = p.read_text(); lines = text.splitlines()
    assert len(lines) <= 450, f'{p.name}: {len(lines)} lines; split the chapter'
    generated = {n for node in ast.parse(text).body if isinstance(node, ast.Assign)   # nbdev writes `__all__` itself
                 and any(getattr(t, 'id', '') == '__all__' for t in node.targets)
                 for n in range(node.lineno, node.end_lineno + 1)}
    long = [i + 1 for i, l in enumerate(lines) if len(l) > 120 and i + 1 not in generated]
    assert not long, f'{p.name}: lines over 120 characters: {long[:10]}'

@pytest.mark.parametrize('nb', NBS, ids=[p.stem for p in NBS])
def test_exported_cells_are_short_and_shown(nb):
    cells = _cells(nb)
    big = [_src(c).splitlines()[1][:60] for c in cells if _exported(c) and len(_src(c).splitlines()) > 40]
    assert not big, f'{nb.name}: exported cells over 40 lines: {big}'
    long = [l[:60] for c in cells for l in _src(c).splitlines() if len(l) > 120]
    assert not long, f'{nb.name}: code lines over 120 characters: {long[:5]}'
    # an exported cell should be run by one of the next three code cells: count those that are not
    unshown = sum(1 for i, c in enumerate(cells) if _exported(c) and not any(not _exported(d) for d in cells[i + 1:i + 4]))
    assert unshown <= 3, f'{nb.name}: {unshown} exported cells with no code cell running them within the next three'

def test_readme_is_short():
    n = len((ROOT/'README.md').read_text().splitlines())
    assert n <= 160, f'README.md: {n} lines'

def test_no_machine_paths():
    pat = re.compile(r'/(work|root|home)/[A-Za-z]')
    files = [p for p in ROOT.rglob('*') if p.is_file() and '.git' not in p.parts and p.suffix in
             ('.py', '.ipynb', '.md', '.json', '.sh', '.ini', '.yml', '.toml', '.txt', '.cfg')
             and not set(p.parts) & {'.venv', '.venvs', '_docs', '_proc', 'runs', '.ipynb_checkpoints'}]
    bad = [str(p.relative_to(ROOT)) for p in files if pat.search(p.read_text(errors='ignore'))]
    assert not bad, f'absolute paths of one machine in: {bad}'

@pytest.mark.parametrize('p', MODULES, ids=[p.stem for p in MODULES])
def test_module_docstring_is_whole(p):
    doc = ast.get_docstring(ast.parse(p.read_text())) or ''
    assert doc.endswith(('.', '?', '!')), (f"{p.name}: docstring {doc!r} is cut or missing; nbdev takes the first line "
                                           "of the notebook's `>` summary, so keep the summary on one line")
