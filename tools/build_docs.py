"""Build the documentation site in `_docs/` from the notebooks, without Quarto (which `nbdev_docs` needs and this
machine lacks). Where Quarto exists, `nbdev_docs` remains the way to build the site from the same `nbs/` config.

Each notebook is processed with nbdev's own docs processors (`nbdev.processors.FilterDefaults`, as `nbdev_proc_nbs`
does): exported cells get their `show_doc` API reference, hidden and exported cells are removed, the H1 title and
`>` summary become the page header, symbols are linked. Cells flagged with `tst_flags` (`slow`, `gpu`) and cells
that mix imports with other code are not run (nbdev's `exec_show_docs` would run those; a warning names them). Then each notebook is rendered to HTML with nbconvert,
keeping the saved outputs (tables, plots embedded as data URIs), honouring Quarto's `echo`/`output`/`include`
directives, inside a page with a sidebar (order from `nbs/sidebar.yml`; titles from each notebook's H1). Pages are
named as nbdev names them (`02_crm.ipynb` -> `crm.html`, `index.ipynb` -> `index.html`) and all links between pages
are relative, so the site works from any folder or URL prefix, from `file://` as from a server, with no network.

What a reader gets, as on a Quarto nbdev site: formulas typeset by MathJax 3, which the build installs once from the npm
registry (`npm install mathjax@3` into the git-ignored `.cache/npm`) and copies into the site (no CDN); a search box
over every page's headings and API names (the index is `search.js`, a script, since `fetch()` of a JSON file is
blocked on `file://`); an "on this page" list; previous/next links in chapter order; images and code that fit the
column (code scrolls inside its box). Kept outputs are shown without warnings, progress bars or machine paths (the
notebooks keep them out, and tests/test_docs.py checks that; the build strips them as a safety net).

Usage: python tools/build_docs.py [--out DIR]      (or: make docs; default DIR: settings.ini's doc_path, `_docs`)
"""
import argparse, html, json, os, re, shutil, subprocess, sys, tempfile, time, warnings
from contextlib import contextmanager, redirect_stdout
from io import StringIO
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

def _config():
    from nbdev.config import get_config
    return get_config(path=ROOT)

def page_name(nb_path, nbs):
    "The site-relative page of a notebook, named as nbdev/Quarto name it (`02_crm.ipynb` -> `crm.html`)."
    from nbdev.doclinks import _nbpath2html
    return _nbpath2html(Path(nb_path).relative_to(nbs)).as_posix()

def notebooks(nbs):
    "All notebooks nbdev would render: not in hidden, `_`-prefixed or checkpoint folders, not `_`-prefixed files."
    return sorted(p for p in nbs.rglob('*.ipynb')
                  if not any(part.startswith(('.', '_')) for part in p.relative_to(nbs).parts))

def sidebar_order(nbs, nbs_found):
    "Notebooks in `sidebar.yml` order, then any notebook it does not list (a note is printed for those)."
    listed = []
    f = nbs/'sidebar.yml'
    if f.exists():
        def walk(o):
            if isinstance(o, str): listed.append(o)
            elif isinstance(o, list): [walk(x) for x in o]
            elif isinstance(o, dict):
                if 'href' in o: listed.append(o['href'])
                walk(o.get('contents', []))
        walk(((yaml.safe_load(f.read_text()) or {}).get('website', {}).get('sidebar', {}) or {}).get('contents', []))
    found = {p.relative_to(nbs).as_posix(): p for p in nbs_found}
    order = [found[o] for o in listed if o in found]
    missing = [p for k, p in found.items() if k not in listed]
    if missing and f.exists():
        print(f"note: nbs/sidebar.yml does not list {', '.join(p.name for p in missing)}; added at the end of the sidebar")
    return order + missing

@contextmanager
def _in_dir(d):
    old = Path.cwd(); os.chdir(d)
    try: yield
    finally: os.chdir(old)

_DIRECTIVE = re.compile(r'^\s*#\|\s*(.*?)\s*$')

_SHOW_DIRS = {'export', 'exports', 'exporti', 'exec_doc'}

def _mixed_imports(src):
    "True when a cell has top-level imports and other code (nbdev's docs processor would run all of it)."
    import ast
    code = '\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('%', '!')))
    try: tree = ast.parse(code)
    except SyntaxError: return False
    imps = [isinstance(s, (ast.Import, ast.ImportFrom)) for s in tree.body]
    return any(imps) and not all(imps)

def _guard_cells(nb, flags, name):
    """Add `#| eval: false` to cells the docs build must not run: those flagged with a `tst_flags` flag (`slow`, `gpu`)
    and those that mix imports with other code, which nbdev's `exec_show_docs` would run in full (see nbdev's FAQ).
    Return a note naming the latter."""
    mixed = []
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'code' or 'nbdev_export()' in c.source: continue
        ds = {m.group(1).split()[0].rstrip(':') for l in c.source.splitlines() if (m := _DIRECTIVE.match(l)) and m.group(1)}
        if ds & _SHOW_DIRS: continue
        if ds & flags: c.source = '#| eval: false\n' + c.source
        elif _mixed_imports(c.source):
            c.source = '#| eval: false\n' + c.source
            mixed.append(str(i))
    if mixed: return [f"note: {name} cell{'s'*(len(mixed)>1)} {', '.join(mixed)} (0-based) mix imports with other code: "
                      "nbdev_docs would run them while building the docs (not run here); imports in a cell of their own avoid that"]
    return []

def _split_title_cell(nb):
    """Keep the prose of the title cell: nbdev's front-matter processor turns the first markdown cell with an H1 into
    the title and description and drops the whole cell, so a paragraph after the `>` summary would vanish, and a
    summary that wraps onto several `>` lines would be cut at the first. The title cell becomes the H1 and the summary
    on one line; the rest follows in a cell of its own."""
    from execnb.nbio import mk_cell
    for i, c in enumerate(nb.cells):
        if c.cell_type != 'markdown' or not re.search(r'^#\s+\S', c.source or '', re.M): continue
        lines, head, quote, rest = c.source.splitlines(), [], [], []
        for j, l in enumerate(lines):
            if not head and not l.strip(): continue
            if not head and re.match(r'#\s+\S', l): head.append(l); continue
            if head and not quote and not l.strip(): continue
            if head and re.match(r'>\s?', l) and not rest: quote.append(l.lstrip('>').strip()); continue
            rest = lines[j:]; break
        if not head: return
        c.source = head[0] + ('\n\n> ' + ' '.join(q for q in quote if q) if quote else '')
        if '\n'.join(rest).strip():
            nb.cells.insert(i + 1, mk_cell('\n'.join(rest).strip('\n'), 'markdown'))
            for k, cell in enumerate(nb.cells): cell.idx_ = k
        return

def process(nb_path, cfg):
    "Process one notebook the way `nbdev_proc_nbs` does; return the processed `execnb` notebook."
    from execnb.nbio import read_nb
    from nbdev.processors import FilterDefaults
    nb = read_nb(nb_path)
    _split_title_cell(nb)
    for w in _guard_cells(nb, set(cfg.get('tst_flags', '').split()), Path(nb_path).name): print(w, file=sys.stderr)
    old = os.environ.get('IN_TEST')
    os.environ['IN_TEST'] = '1'
    out = StringIO()
    try:
        with _in_dir(Path(nb_path).parent), redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter('ignore')
            FilterDefaults()(nb)
    finally:
        if old is None: os.environ.pop('IN_TEST', None)
        else: os.environ['IN_TEST'] = old
    return nb

def _quarto_dirs(src):
    "Quarto's `#| key: value` directives of a cell, and its source without any `#|` line."
    ds, keep = {}, []
    for l in src.splitlines():
        m = _DIRECTIVE.match(l)
        if m:
            k, _, v = m.group(1).partition(':')
            ds[k.strip()] = v.strip().lower()
        else: keep.append(l)
    return ds, '\n'.join(keep).strip('\n')

def to_nbformat(nb):
    "The processed notebook as an `nbformat` node ready for nbconvert, and its front matter."
    import nbformat
    fm, cells = {}, []
    for c in nb.cells:
        if 'source' not in c or c.source is None: continue
        src = c.source
        if c.cell_type == 'raw':
            if src.strip().startswith('---'): fm.update(yaml.safe_load(src.strip().strip('-')) or {})
            continue
        if c.cell_type == 'markdown':
            if re.sub(r'<!--.*?-->', '', src, flags=re.S).strip(): cells.append(nbformat.v4.new_markdown_cell(src, attachments=c.get('attachments')) if c.get('attachments') else nbformat.v4.new_markdown_cell(src))
            continue
        ds, src = _quarto_dirs(src)
        if ds.get('include') == 'false': continue
        outputs = [] if ds.get('output') == 'false' else [o for o in map(_clean_output, c.get('outputs', [])) if o]
        if ds.get('echo') == 'false': src = ''
        if not src.strip() and not outputs: continue
        cell = nbformat.v4.new_code_cell(src)
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        if getattr(c, 'has_sd', False) or ds.get('output') == 'asis': cell.metadata['tags'] = ['show-doc']
        if not src.strip(): cell.metadata['transient'] = {'remove_source': True}
        cells.append(cell)
    node = nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': {'name': 'python3', 'display_name': 'Python 3', 'language': 'python'},
                                                           'language_info': {'name': 'python'}})
    return node, fm

def _pandoc_attrs(md):
    "Turn Pandoc's link attributes (`[source](url){target=...}`, which `show_doc` writes for Quarto) into HTML."
    md = re.sub(r'\[source\]\(([^)\s]+)\)\{[^}\n]*\}', r'<a class="source-link" href="\1" target="_blank">source</a>', md)
    md = re.sub(r'(\]\([^)\s]+\))\{[^}\n]*\}', r'\1', md)
    # nbdev's add_links also linkifies `names` in the signature's code block, where a link shows as raw markdown
    unlink = lambda m: re.sub(r'\[(`[^`\]]+`)\]\([^)\s]+\)', r'\1', m.group(0))
    return re.sub(r'```.*?```', unlink, md, flags=re.S)

# What a reader should never see in a kept output. The notebooks keep them out (tests/test_docs.py fails naming the
# notebook); the build strips them as a safety net.
WARNING = re.compile(r'^.*\b(?:[A-Z]\w*Warning|WARNING)\b.*$|^\s*warnings\.warn\(.*$|^\[[\w.-]+\] .*deprecated.*$', re.M)
PROGRESS = re.compile(r'\d+%\|[^|\n]*\||\b\d+/\d+ \[\d+:\d\d(?:<|\])|\b[\d.]+\s?(?:it/s|s/it)\b')
# Top-level folders a path on some machine starts with, plus those of this checkout and of the temporary folder
# (wherever CI or a user keeps them).
_TOPS = sorted({'work', 'home', 'root', 'tmp', 'private', 'Users', 'usr', 'opt', 'mnt', 'var', 'srv', 'scratch', 'data',
                'content', ROOT.parts[1], Path(tempfile.gettempdir()).resolve().parts[1]})
MACHINE_PATH = re.compile(r'(?<![\w.~/-])(?:/(?:' + '|'.join(map(re.escape, _TOPS)) + r')/'
                          r'|[A-Z]:\\\\)[^\s\'"<>:,;)\]]*')

def noise(text):
    "The kinds of output noise in `text`: `warning`, `progress bar`, `machine path` (each with its first example)."
    found = []
    for kind, rx in (('warning', WARNING), ('progress bar', PROGRESS), ('machine path', MACHINE_PATH)):
        if m := rx.search(text): found.append(f'{kind}: {m.group(0).strip()[:120]!r}')
    return found

def _short_path(m):
    "A machine path as a reader may see it: relative to the repo, to site-packages, or its file name."
    p = m.group(0)
    root = str(ROOT) + os.sep
    if p.startswith(root): return p[len(root):]
    if 'site-packages/' in p: return p.split('site-packages/', 1)[1]
    return Path(p).name or p

def _strip_noise(text, stderr=False):
    "`text` without warning lines (and the source line Python prints under one), progress bars and machine paths."
    out, skip_next = [], False
    for line in text.split('\n'):
        segs = [s for s in line.split('\r') if s.strip() and not PROGRESS.search(s)]
        line = segs[-1] if segs else ''
        if skip_next and line.startswith((' ', '\t')): skip_next = False; continue
        skip_next = False
        if WARNING.search(line): skip_next = True; continue
        if not segs and line == '' and ('\r' in text or PROGRESS.search(text)): continue
        out.append(line)
    return MACHINE_PATH.sub(_short_path, '\n'.join(out))

def _clean_output(o):
    "An output in nbformat's shape (execnb keeps multi-line strings as lists of lines), without noise; None if empty."
    o = _clean_format(o)
    if o.get('output_type') == 'stream':
        o['text'] = _strip_noise(o['text'], o.get('name') == 'stderr')
        return o if o['text'].strip() else None
    if o.get('output_type') in ('execute_result', 'display_data'):
        o['data'] = {k: _strip_noise(v) if k.startswith('text/') and isinstance(v, str) else v for k, v in o['data'].items()}
    if o.get('output_type') == 'error': o['traceback'] = [MACHINE_PATH.sub(_short_path, l) for l in o['traceback']]
    return o

def _clean_format(o):
    "An output in nbformat's shape (execnb keeps multi-line strings as lists of lines)."
    o = dict(o)
    if o.get('output_type') in ('execute_result', 'display_data'):
        o['data'] = {k: ''.join(v) if isinstance(v, list) else v for k, v in (o.get('data') or {}).items()}
        if 'text/markdown' in o['data']: o['data']['text/markdown'] = _pandoc_attrs(o['data']['text/markdown'])
        o.setdefault('metadata', {})
        if o['output_type'] == 'execute_result': o.setdefault('execution_count', None)
    if o.get('output_type') == 'stream' and isinstance(o.get('text'), list): o['text'] = ''.join(o['text'])
    if o.get('output_type') == 'error' and isinstance(o.get('traceback'), str): o['traceback'] = o['traceback'].splitlines()
    return o

CSS = """
:root { --side: 16rem; --toc: 15rem; --fg: #1f2328; --muted: #59636e; --accent: #2c6fbb; --code: #f6f8fa; --line: #e1e4e8; }
* { box-sizing: border-box; }
html { scroll-padding-top: 1rem; }
body { margin: 0; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
a { color: var(--accent); }
nav.sidebar { position: fixed; top: 0; bottom: 0; left: 0; width: var(--side); overflow-y: auto; padding: 1.2rem 1rem;
  background: #f7f8fa; border-right: 1px solid var(--line); }
nav.sidebar .site-title { display: block; font-weight: 700; font-size: 1.25rem; color: var(--fg); text-decoration: none; margin-bottom: .8rem; }
nav.sidebar ul { list-style: none; margin: 0; padding: 0; }
nav.sidebar li a { display: block; padding: .28rem .6rem; border-radius: 6px; color: var(--muted); text-decoration: none; line-height: 1.35; }
nav.sidebar li a:hover { background: #eaeef2; color: var(--fg); }
nav.sidebar li a.active { background: #dbe8f7; color: var(--accent); font-weight: 600; }
details.chapters > summary { display: none; }
.search { margin-bottom: 1rem; }
.search input { width: 100%; font: inherit; font-size: .95rem; padding: .4rem .6rem; border: 1px solid #c9d1d9; border-radius: 6px; background: #fff; }
.search input:focus { outline: 2px solid #9cc3ee; border-color: var(--accent); }
.search-results { list-style: none; margin: .3rem 0 0; padding: 0; max-height: 60vh; overflow-y: auto; }
.search-results:empty { display: none; }
nav.sidebar .search-results li a { padding: .3rem .5rem; color: var(--fg); }
.search-results li a code { font-size: .85em; overflow-wrap: anywhere; }
.search-results li a .where { display: block; font-size: .78rem; color: var(--muted); }
.search-results li a.selected, nav.sidebar .search-results li a:hover { background: #dbe8f7; }
.search-results li.none { font-size: .85rem; color: var(--muted); padding: .3rem .5rem; }
main { margin-left: var(--side); padding: 1.5rem 2.2rem 3rem; min-width: 0; max-width: calc(var(--side) + 62rem); overflow-wrap: break-word; }
header.page h1 { margin: 0 0 .3rem; font-size: 2.1rem; line-height: 1.2; }
header.page p.description { margin: 0 0 1.2rem; color: var(--muted); font-size: 1.15rem; }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .88em; }
p code, li code, td code, .description code { background: #f0f2f4; padding: .05em .3em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--code); padding: .7rem .9rem; border-radius: 6px; overflow-x: auto; margin: .4rem 0; max-width: 100%; }
pre code { background: none; padding: 0; }
.prompt { display: none; }
.cell { margin: .8rem 0; min-width: 0; max-width: 100%; }
.input_area pre { margin: 0; }
.output_subarea { max-width: 100%; overflow-x: auto; }
.output_subarea > pre, .output_text pre { background: #fff; border: 1px solid var(--line); }
img { max-width: 100%; height: auto; }
.output_stderr pre { background: #fff8e6; }
.text_cell_render { overflow-x: auto; }
mjx-container[display="true"] { overflow-x: auto; overflow-y: hidden; max-width: 100%; padding: .2rem 0; }
.anchor-link { visibility: hidden; margin-left: .3rem; text-decoration: none; color: #a0a7b0; }
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92em; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th, table.dataframe th { background: #f6f8fa; }
.celltag_show-doc .output_markdown { border-left: 4px solid var(--accent); padding: 0 0 .1rem 1rem; margin: 1.4rem 0 .6rem; }
.celltag_show-doc hr { display: none; }
.celltag_show-doc h2, .celltag_show-doc h3, .celltag_show-doc h4 { margin: .2rem 0 .4rem; font-family: ui-monospace, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.celltag_show-doc a.source-link { float: right; font-size: .8rem; }
.celltag_show-doc table { font-size: .88em; }
blockquote { border-left: 3px solid #d0d7de; margin: .6rem 0; padding: 0 1rem; color: var(--muted); }
nav.toc { font-size: .87rem; line-height: 1.35; }
nav.toc > details > summary { font-weight: 600; cursor: pointer; margin-bottom: .4rem; color: var(--fg); }
nav.toc ul { list-style: none; margin: 0; padding: 0; }
nav.toc li a { display: block; padding: .18rem .6rem; color: var(--muted); text-decoration: none; border-left: 2px solid transparent; overflow-wrap: anywhere; }
nav.toc li.l3 a { padding-left: 1.4rem; }
nav.toc li a code { font-size: .92em; }
nav.toc li a:hover { color: var(--fg); }
nav.toc li a.current { color: var(--accent); border-left-color: var(--accent); }
nav.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 3rem; padding-top: 1rem; border-top: 1px solid var(--line); }
nav.pager a { display: block; max-width: 48%; padding: .6rem .9rem; border: 1px solid var(--line); border-radius: 8px; text-decoration: none; }
nav.pager a:hover { border-color: var(--accent); }
nav.pager a span { display: block; font-size: .8rem; color: var(--muted); }
nav.pager a.pager-next { margin-left: auto; text-align: right; }
footer { margin-top: 1.5rem; color: var(--muted); font-size: .85rem; }
@media (min-width: 1200px) {
  main { margin-right: var(--toc); }
  nav.toc { position: fixed; top: 0; bottom: 0; right: 0; width: var(--toc); overflow-y: auto; padding: 1.5rem 1rem 1.5rem .5rem; }
  nav.toc > details > summary { list-style: none; pointer-events: none; }
  nav.toc > details > summary::-webkit-details-marker { display: none; }
}
@media (max-width: 1199px) {
  nav.toc { margin: 0 0 1.2rem; padding: .6rem .8rem; border: 1px solid var(--line); border-radius: 8px; background: #fafbfc; }
  nav.toc > details:not([open]) > summary { margin-bottom: 0; }
}
@media (max-width: 800px) {
  nav.sidebar { position: static; width: auto; border-right: 0; border-bottom: 1px solid var(--line); padding: .8rem 1rem; }
  details.chapters > summary { display: list-item; cursor: pointer; font-weight: 600; color: var(--muted); margin-bottom: .3rem; }
  main { margin-left: 0; padding: 1rem; }
  header.page h1 { font-size: 1.7rem; }
}
"""

# Search box (over SEARCH_INDEX, which search.js defines), the contents list's current section, and the collapsible
# lists opened or closed for the width. A plain script: it works from file:// as from a server.
JS = r"""
(function () {
  var root = document.documentElement.getAttribute('data-root') || '';
  var wide = window.matchMedia('(min-width: 1200px)').matches, narrow = window.matchMedia('(max-width: 800px)').matches;
  var toc = document.querySelector('nav.toc details'); if (toc && wide) toc.open = true;
  var ch = document.querySelector('details.chapters'); if (ch && narrow) ch.open = false;
  var input = document.getElementById('search-input'), list = document.getElementById('search-results');
  function esc(s) { return s.replace(/[&<>"]/g, function (c) { return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]; }); }
  function score(e, terms, q) {
    var name = e[0].toLowerCase(), last = name.split('.').pop(), hay = (name + ' ' + e[2]).toLowerCase(), s;
    for (var i = 0; i < terms.length; i++) if (hay.indexOf(terms[i]) < 0) return -1;
    if (name === q || last === q) s = 0;
    else if (name.indexOf(q) === 0 || last.indexOf(q) === 0) s = 1;
    else if (new RegExp('(^|[^a-z0-9])' + q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).test(name)) s = 2;
    else if (name.indexOf(q) >= 0) s = 3; else s = 4;
    return s * 10 + (e[3] === 'api' ? 0 : e[3] === 'page' ? 1 : 2);
  }
  function search() {
    var q = input.value.trim().toLowerCase(); list.innerHTML = '';
    if (!q) return;
    var terms = q.split(/\s+/), hits = [];
    (window.SEARCH_INDEX || []).forEach(function (e) { var s = score(e, terms, q); if (s >= 0) hits.push([s, e]); });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1][0].length - b[1][0].length; });
    if (!hits.length) { list.innerHTML = '<li class="none">No match</li>'; return; }
    list.innerHTML = hits.slice(0, 40).map(function (h, i) {
      var e = h[1], t = e[3] === 'api' ? '<code>' + esc(e[0]) + '</code>' : esc(e[0]);
      return '<li><a href="' + esc(root + e[1]) + '"' + (i ? '' : ' class="selected"') + '>' + t +
             '<span class="where">' + esc(e[2]) + '</span></a></li>';
    }).join('');
  }
  if (input && list) {
    input.addEventListener('input', search);
    input.addEventListener('keydown', function (ev) {
      var a = list.querySelector('a.selected');
      if (ev.key === 'Enter' && a) { ev.preventDefault(); a.click(); }
      if (ev.key === 'Escape') { input.value = ''; search(); }
      if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && a) {
        ev.preventDefault();
        var li = ev.key === 'ArrowDown' ? a.parentNode.nextElementSibling : a.parentNode.previousElementSibling;
        if (li && li.firstChild && li.firstChild.tagName === 'A') { a.classList.remove('selected'); li.firstChild.classList.add('selected'); li.firstChild.scrollIntoView({block: 'nearest'}); }
      }
    });
    document.addEventListener('keydown', function (ev) {
      if (ev.key === '/' && document.activeElement !== input && !/INPUT|TEXTAREA/.test(document.activeElement.tagName)) { ev.preventDefault(); input.focus(); }
    });
    if (input.value) search();
  }
  var links = [].slice.call(document.querySelectorAll('nav.toc a'));
  if (links.length && 'IntersectionObserver' in window) {
    var heads = links.map(function (a) { var h = a.hash.slice(1); return document.getElementById(h) || document.getElementById(decodeURIComponent(h)); });
    var mark = function () {
      var cur = 0;
      heads.forEach(function (h, i) { if (h && h.getBoundingClientRect().top < 120) cur = i; });
      links.forEach(function (a, i) { a.classList.toggle('current', i === cur); });
    };
    window.addEventListener('scroll', mark, {passive: true}); mark();
  }
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en" data-root="{rel}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title>
<link rel="stylesheet" href="{rel}site.css">{extra_css}
<script>window.MathJax = {{tex: {{inlineMath: [['$','$'], ['\\\\(','\\\\)']], processEscapes: true}},
  options: {{menuOptions: {{settings: {{assistiveMml: false}}}}}}}};</script>
<script async src="{rel}mathjax/tex-chtml.js"></script>
<script defer src="{rel}search.js"></script>
<script defer src="{rel}site.js"></script>
</head><body>
<nav class="sidebar" aria-label="chapters"><a class="site-title" href="{rel}index.html">{site}</a>
<div class="search" role="search"><input id="search-input" type="search" placeholder="Search (press /)" aria-label="Search the docs"
  autocomplete="off" spellcheck="false"><ul id="search-results" class="search-results"></ul></div>
<details class="chapters" open><summary>Chapters</summary><ul>
{nav}
</ul></details></nav>
<main>
<header class="page"><h1 class="title">{title}</h1>{desc}</header>
{toc}
{body}
{pager}
<footer>Built from the notebooks by tools/build_docs.py. {repo}</footer>
</main></body></html>
"""

# MathJax 3 from npm, installed once by the build into a git-ignored cache and copied into the site: no CDN, so
# formulas are typeset offline, from file:// as from a server. Only what tex-chtml.js loads is copied: the component,
# the TeX extensions it autoloads, its CHTML fonts and the accessibility parts its menu may load.
MATHJAX = 'mathjax@3'
MATHJAX_CACHE = ROOT/'.cache'/'npm'
MATHJAX_PARTS = ('tex-chtml.js', 'input/tex/extensions', 'output/chtml/fonts/woff-v2', 'a11y', 'ui')

def mathjax_dir():
    "The `es5` folder of an npm install of MathJax 3 (`$MATHJAX_DIR`, or `.cache/npm`, installed there when missing)."
    if os.environ.get('MATHJAX_DIR'):
        d = Path(os.environ['MATHJAX_DIR'])
        if not (d/'tex-chtml.js').exists(): raise SystemExit(f'docs build: MATHJAX_DIR={d} has no tex-chtml.js (expected '
                                                             "the es5 folder of npm's mathjax@3)")
        return d
    d = MATHJAX_CACHE/'node_modules'/'mathjax'/'es5'
    if (d/'tex-chtml.js').exists(): return d
    npm = shutil.which('npm')
    if not npm:
        raise SystemExit('docs build: MathJax is needed to typeset the formulas offline and npm, which installs it, is '
                         'missing. Install Node.js and npm (Debian: apt-get install npm), or point MATHJAX_DIR at the es5 '
                         f'folder of an npm install of {MATHJAX}; the build then runs `npm install --prefix '
                         f'{MATHJAX_CACHE.relative_to(ROOT)} {MATHJAX}` once.')
    print(f'installing {MATHJAX} from the npm registry into {MATHJAX_CACHE.relative_to(ROOT)} (once)', file=sys.stderr)
    r = subprocess.run([npm, 'install', '--prefix', str(MATHJAX_CACHE), '--no-audit', '--no-fund', '--no-save',
                        '--loglevel=error', MATHJAX], capture_output=True, text=True)
    if r.returncode or not (d/'tex-chtml.js').exists():
        raise SystemExit(f'docs build: `npm install {MATHJAX}` failed (exit {r.returncode}):\n{(r.stdout + r.stderr)[-3000:]}')
    return d

def copy_mathjax(site):
    "Copy the parts of MathJax the pages load into `site/mathjax`."
    src, dest = mathjax_dir(), site/'mathjax'
    for part in MATHJAX_PARTS:
        s, d = src/part, dest/part
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir(): shutil.copytree(s, d)
        elif s.exists(): shutil.copy2(s, d)
    lic = src.parent/'LICENSE'
    if lic.exists(): shutil.copy2(lic, dest/'LICENSE')

_HEADING = re.compile(r'<h([1-6]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)

def _text(frag):
    "The text of an HTML fragment (tags and the anchor link's pilcrow removed)."
    return html.unescape(re.sub(r'<[^>]+>', '', re.sub(r'<a class="anchor-link".*?</a>', '', frag, flags=re.S))).strip()

def headings(body):
    "The headings of a page body with an id: `(level, id, text, is_api)`, `is_api` for `show_doc` entries."
    out = []
    for cell in re.split(r'(?=<div class="cell )', body):
        api = 'celltag_show-doc' in cell[:300]
        for m in _HEADING.finditer(cell):
            t = _text(m.group(3))
            if t: out.append((int(m.group(1)), m.group(2), t, api))
    return out

def _toc(heads):
    "The 'on this page' list: sections (h2) and the entries under them (h3)."
    items = [(l, i, t, api) for l, i, t, api in heads if l in (2, 3)]
    if len(items) < 2: return ''
    lis = '\n'.join(f'<li class="l{l}"><a href="#{html.escape(i, quote=True)}">'
                    + (f'<code>{html.escape(t)}</code>' if api else html.escape(t)) + '</a></li>' for l, i, t, api in items)
    return f'<nav class="toc" aria-label="on this page"><details><summary>On this page</summary><ul>\n{lis}\n</ul></details></nav>'

def _pager(prev, nxt, page):
    "Previous/next links in chapter order."
    a = lambda pg, t, cls, rel, label: (f'<a class="{cls}" rel="{rel}" href="{html.escape(_rel(pg, page))}">'
                                         f'<span>{label}</span>{html.escape(str(t))}</a>')
    return ('<nav class="pager" aria-label="previous and next chapters">' + (a(*prev, 'pager-prev', 'prev', '← Previous') if prev else '')
            + (a(*nxt, 'pager-next', 'next', 'Next →') if nxt else '') + '</nav>')

def _inline_md(s):
    "A one-line Markdown text (a subtitle) as inline HTML: code, emphasis, links."
    import mistune
    out = mistune.html(str(s)).strip()
    return re.sub(r'^<p>(.*)</p>$', r'\1', out, flags=re.S)

def _rel(target, page):
    "`target` (site-relative) as a link relative to `page` (site-relative)."
    return os.path.relpath(target, start=os.path.dirname(page) or '.').replace(os.sep, '/')

_MIME = {'.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.svg': 'image/svg+xml'}

def _fix_links(body, page, pages_by_nb, site_url, nb_dir=None):
    """Make links to this site relative (absolute doc-host URLs, links to `.ipynb` sources) and embed images that
    markdown cells take from files next to the notebook (`![](../data/results/curve.png)`), as data URIs."""
    import base64
    def fix(m):
        attr, url = m.group(1), html.unescape(m.group(2))
        if attr == 'src' and nb_dir is not None and not re.match(r'^[a-z][a-z0-9+.-]*:', url) and not url.startswith('/'):
            f = (Path(nb_dir)/url.split('#')[0].split('?')[0])
            if f.suffix.lower() in _MIME and f.is_file():
                return f'src="data:{_MIME[f.suffix.lower()]};base64,{base64.b64encode(f.read_bytes()).decode()}"'
        if url.startswith('#'): return f'{attr}="{html.escape(url.lower(), quote=True)}"'
        if url.startswith(('data:', 'mailto:')): return m.group(0)
        target = None
        for prefix in (site_url + '/', site_url.replace('https://', 'http://') + '/'):
            if url.startswith(prefix): target = url[len(prefix):] or 'index.html'
        if target is None and not re.match(r'^[a-z][a-z0-9+.-]*:', url) and not url.startswith('/'):
            target = os.path.normpath(os.path.join(os.path.dirname(page), url)).replace(os.sep, '/') if url else None
        if target is None: return m.group(0)
        path, hash_, frag = target.partition('#')
        frag = frag.lower()
        if path.endswith('.ipynb') and path in pages_by_nb: path = pages_by_nb[path]
        return f'{attr}="{html.escape(_rel(path, page) + hash_ + frag, quote=True)}"'
    return re.sub(r'\b(href|src)="([^"]*)"', fix, body)

def build(out=None, nbs=None, quiet=False):
    "Build the site into `out`; return the list of pages written."
    t0 = time.time()
    cfg = _config()
    nbs = Path(nbs or cfg.config_path/cfg.get('nbs_path', 'nbs')).resolve()
    out = Path(out or cfg.config_path/cfg.get('doc_path', '_docs')).resolve()
    site_url = (cfg.get('doc_host', '').rstrip('/') + cfg.get('doc_baseurl', '')).rstrip('/')
    site = cfg.get('title', cfg.get('lib_name', 'docs'))
    repo = cfg.get('git_url', '')
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name='basic', exclude_input_prompt=True, exclude_output_prompt=True)
    from pygments.formatters import HtmlFormatter
    pyg_css = HtmlFormatter(style='default').get_style_defs('.highlight')

    nb_paths = sidebar_order(nbs, notebooks(nbs))
    pages_by_nb = {p.relative_to(nbs).as_posix(): page_name(p, nbs) for p in nb_paths}
    processed = []
    for p in nb_paths:
        t = time.time()
        try: nb = process(p, cfg)
        except Exception as e: raise SystemExit(f'docs build: processing {p.relative_to(cfg.config_path)} failed: {e}') from e
        node, fm = to_nbformat(nb)
        title = fm.get('title') or p.stem
        processed.append((p, node, fm, title))
        if not quiet: print(f'  processed {p.name} ({time.time()-t:.1f}s)')

    tmp = out.with_name(out.name + '.tmp')
    if tmp.exists(): shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    (tmp/'site.css').write_text(CSS + '\n' + pyg_css + '\n')
    has_styles = (nbs/'styles.css').exists()
    if has_styles: shutil.copy2(nbs/'styles.css', tmp/'styles.css')
    (tmp/'site.js').write_text(JS.strip() + '\n')
    copy_mathjax(tmp)
    written, index = [], []
    order = [(pages_by_nb[q.relative_to(nbs).as_posix()], t) for q, _, _, t in processed]
    for n, (p, node, fm, title) in enumerate(processed):
        page = pages_by_nb[p.relative_to(nbs).as_posix()]
        rel = _rel('.', page) + '/' if '/' in page else ''
        rel = '' if rel == './' else rel
        body, _ = exporter.from_notebook_node(node)
        body = re.sub(r'(<h[1-6] id=")([^"]+)(")', lambda m: m.group(1) + m.group(2).lower() + m.group(3), body)
        body = _fix_links(body, page, pages_by_nb, site_url, p.parent)
        active = ' class="active" aria-current="page"'
        nav = '\n'.join(f'<li><a href="{html.escape(_rel(pg, page))}"{active if pg == page else ""}>{html.escape(str(t))}</a></li>'
                        for pg, t in order)
        desc = (f'<p class="description">{_fix_links(_inline_md(fm["description"]), page, pages_by_nb, site_url)}</p>'
                if fm.get('description') else '')
        heads = headings(body)
        index.append([str(title), page, str(title), 'page'])
        index += [[t, f'{page}#{i}', str(title), 'api' if api else 'section'] for l, i, t, api in heads]
        doc = PAGE.format(title=html.escape(str(title)), site=html.escape(site), rel=rel, nav=nav, desc=desc, body=body,
                          toc=_toc(heads), pager=_pager(order[n-1] if n else None, order[n+1] if n + 1 < len(order) else None, page),
                          extra_css=f'\n<link rel="stylesheet" href="{rel}styles.css">' if has_styles else '',
                          repo=f'<a href="{html.escape(repo)}">Source</a>' if repo else '')
        dest = tmp/page
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(doc, encoding='utf-8')
        written.append(page)
    # the search index as a script, not JSON: fetch() of a file is blocked on file://
    (tmp/'search.js').write_text('window.SEARCH_INDEX = ' + json.dumps(index, ensure_ascii=False, separators=(',', ':'))
                                 .replace('</', '<\\/') + ';\n', encoding='utf-8')
    _fix_fragments(tmp, written)
    (tmp/'.nojekyll').touch()
    if out.exists(): shutil.rmtree(out)
    tmp.rename(out)
    dt = time.time() - t0
    print(f'built {len(written)} pages into {out} in {dt:.1f}s')
    return written

def _fix_fragments(site, pages):
    """Point `page.html#name` links whose anchor is missing at the page's `cls.name` anchor when there is exactly one
    (nbdev links a method's bare name; its `show_doc` heading is `Class.name`). A link to a name with no anchor at
    all (a private helper named in the prose, which `show_doc` never renders) becomes plain text."""
    ids = {pg: {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', (site/pg).read_text(encoding='utf-8'))} for pg in pages}
    for pg in pages:
        f = site/pg
        def fix(m):
            target = os.path.normpath(os.path.join(os.path.dirname(pg), m.group(1) or os.path.basename(pg))).replace(os.sep, '/')
            have = ids.get(target)
            if have is None or html.unescape(m.group(2)) in have: return m.group(0)
            alt = [i for i in have if i.endswith('.' + m.group(2))]
            return f'<a href="{m.group(1)}#{alt[0]}"{m.group(3)}>{m.group(4)}</a>' if len(alt) == 1 else m.group(4)
        f.write_text(re.sub(r'<a href="([^"#:]*)#([^"]+)"([^>]*)>(.*?)</a>', fix, f.read_text(encoding='utf-8'), flags=re.S),
                     encoding='utf-8')

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--out', help="output folder (default: settings.ini's doc_path, _docs)")
    ap.add_argument('--nbs', help="notebooks folder (default: settings.ini's nbs_path)")
    ap.add_argument('--quiet', action='store_true', help='print only notes and the summary line')
    a = ap.parse_args(argv)
    build(a.out, a.nbs, quiet=a.quiet)

if __name__ == '__main__': main()
