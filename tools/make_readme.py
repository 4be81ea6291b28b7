"""Render `nbs/index.ipynb` to `README.md` without Quarto (which `nbdev_readme` needs and this machine lacks).

Cells marked `#| hide` are dropped, other `#|` directives are stripped, outputs are kept as they were saved.
Usage: python tools/make_readme.py [--check]   (--check exits 1 if README.md is out of date)
"""
import sys, re
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter
from nbconvert.preprocessors import TagRemovePreprocessor

root = Path(__file__).resolve().parents[1]

def render() -> str:
    nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
    cells = []
    for c in nb.cells:
        lines = c.source.splitlines()
        if any(re.match(r'#\|\s*hide\b', l) for l in lines): continue
        if any(re.match(r'#\|\s*echo:\s*false', l) for l in lines): c.metadata.setdefault('tags', []).append('remove_input')
        c.source = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
        cells.append(c)
    nb.cells = cells
    ex = MarkdownExporter(exclude_input_prompt=True, exclude_output_prompt=True)
    ex.register_preprocessor(TagRemovePreprocessor(remove_input_tags={'remove_input'}, enabled=True), enabled=True)
    body, _ = ex.from_notebook_node(nb)
    body = re.sub(r'\n{3,}', '\n\n', body).strip() + '\n'
    body = body.replace('](../data/', '](data/')   # images the index page links from nbs/ are repository paths in the README
    body = re.sub(r'\]\(([\w-]+\.ipynb)([)#])', r'](nbs/\1\2', body)   # links to chapters, from nbs/ too
    return '<!-- generated from nbs/index.ipynb by tools/make_readme.py: edit the notebook, not this file -->\n\n' + body

if __name__ == '__main__':
    text = render()
    if '--check' in sys.argv:
        ok = (root/'README.md').exists() and (root/'README.md').read_text() == text
        print('README.md is up to date' if ok else 'README.md is out of date: run python tools/make_readme.py')
        sys.exit(0 if ok else 1)
    (root/'README.md').write_text(text)
    print('wrote README.md')
