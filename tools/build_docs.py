"""Build the documentation site in `_docs/` from the notebooks, without Quarto (which `nbdev_docs` needs and this
machine lacks). Where Quarto exists, `nbdev_docs` remains the way to build the site from the same `nbs/` config.

Each notebook is processed with nbdev's own docs processors (`nbdev.processors.FilterDefaults`, as `nbdev_proc_nbs`
does): exported cells get their `show_doc` API reference, hidden and exported cells are removed, the H1 title and
`>` summary become the page header, symbols are linked. Cells flagged with `tst_flags` (`slow`, `gpu`) and cells
that mix imports with other code are not run (nbdev's `exec_show_docs` would run those; a warning names them). Then each notebook is rendered to HTML with nbconvert,
keeping the saved outputs (tables, plots embedded as data URIs), honouring Quarto's `echo`/`output`/`include`
directives, inside a page with a sidebar (order from `nbs/sidebar.yml`; titles from each notebook's H1). Pages are
named as nbdev names them (`02_crm.ipynb` -> `crm.html`, `index.ipynb` -> `index.html`) and all links between pages
are relative, so the site works from any folder or URL prefix.

Usage: python tools/build_docs.py [--out DIR]      (or: make docs; default DIR: settings.ini's doc_path, `_docs`)
"""
import argparse, html, os, re, shutil, sys, time, warnings
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

def process(nb_path, cfg):
    "Process one notebook the way `nbdev_proc_nbs` does; return the processed `execnb` notebook."
    from execnb.nbio import read_nb
    from nbdev.processors import FilterDefaults
    nb = read_nb(nb_path)
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
            if src.strip(): cells.append(nbformat.v4.new_markdown_cell(src, attachments=c.get('attachments')) if c.get('attachments') else nbformat.v4.new_markdown_cell(src))
            continue
        ds, src = _quarto_dirs(src)
        if ds.get('include') == 'false': continue
        outputs = [] if ds.get('output') == 'false' else [_clean_output(o) for o in c.get('outputs', [])]
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

def _clean_output(o):
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
:root { --side: 16rem; --fg: #1f2328; --muted: #59636e; --accent: #2c6fbb; --code: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); }
nav.sidebar { position: fixed; top: 0; bottom: 0; left: 0; width: var(--side); overflow-y: auto; padding: 1.2rem 1rem;
  background: #f7f8fa; border-right: 1px solid #e1e4e8; }
nav.sidebar .site-title { display: block; font-weight: 700; font-size: 1.25rem; color: var(--fg); text-decoration: none; margin-bottom: 1rem; }
nav.sidebar ul { list-style: none; margin: 0; padding: 0; }
nav.sidebar li a { display: block; padding: .3rem .6rem; border-radius: 6px; color: var(--muted); text-decoration: none; }
nav.sidebar li a:hover { background: #eaeef2; color: var(--fg); }
nav.sidebar li a.active { background: #dbe8f7; color: var(--accent); font-weight: 600; }
main { margin-left: var(--side); padding: 1.5rem 2.5rem 4rem; max-width: calc(var(--side) + 60rem); }
header.page h1 { margin: 0 0 .3rem; font-size: 2.1rem; }
header.page p.description { margin: 0 0 1.5rem; color: var(--muted); font-size: 1.15rem; }
a { color: var(--accent); }
pre, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: var(--code); padding: .7rem .9rem; border-radius: 6px; overflow-x: auto; margin: .4rem 0; }
.prompt { display: none; }
.cell { margin: .8rem 0; }
.input_area pre { margin: 0; }
.output_subarea > pre, .output_text pre { background: #fff; border: 1px solid #e1e4e8; }
.output_area img { max-width: 100%; height: auto; }
.output_stderr pre { background: #fff8e6; }
.anchor-link { visibility: hidden; margin-left: .3rem; text-decoration: none; color: #a0a7b0; }
h1:hover .anchor-link, h2:hover .anchor-link, h3:hover .anchor-link, h4:hover .anchor-link { visibility: visible; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92em; }
th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: left; }
thead th, table.dataframe th { background: #f6f8fa; }
.celltag_show-doc .output_markdown { border-left: 4px solid var(--accent); padding: 0 0 .1rem 1rem; margin: 1.4rem 0 .6rem; }
.celltag_show-doc hr { display: none; }
.celltag_show-doc h2, .celltag_show-doc h3, .celltag_show-doc h4 { margin: .2rem 0 .4rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
.celltag_show-doc a.source-link { float: right; font-size: .8rem; }
.celltag_show-doc table { font-size: .88em; }
blockquote { border-left: 3px solid #d0d7de; margin: .6rem 0; padding: 0 1rem; color: var(--muted); }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; }
@media (max-width: 800px) { nav.sidebar { position: static; width: auto; border-right: 0; } main { margin-left: 0; padding: 1rem; } }
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – {site}</title>
<link rel="stylesheet" href="{rel}site.css">{extra_css}
<script>window.MathJax = {{tex: {{inlineMath: [['$','$'], ['\\\\(','\\\\)']], processEscapes: true}}}};</script>
<script async src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-chtml.js"></script>
</head><body>
<nav class="sidebar" aria-label="chapters"><a class="site-title" href="{rel}index.html">{site}</a><ul>
{nav}
</ul></nav>
<main>
<header class="page"><h1 class="title">{title}</h1>{desc}</header>
{body}
<footer>Built from the notebooks by tools/build_docs.py. {repo}</footer>
</main></body></html>
"""

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
    written = []
    for p, node, fm, title in processed:
        page = pages_by_nb[p.relative_to(nbs).as_posix()]
        rel = _rel('.', page) + '/' if '/' in page else ''
        rel = '' if rel == './' else rel
        body, _ = exporter.from_notebook_node(node)
        body = re.sub(r'(<h[1-6] id=")([^"]+)(")', lambda m: m.group(1) + m.group(2).lower() + m.group(3), body)
        body = _fix_links(body, page, pages_by_nb, site_url, p.parent)
        active = ' class="active" aria-current="page"'
        nav = '\n'.join(f'<li><a href="{html.escape(_rel(pg, page))}"{active if pg == page else ""}>{html.escape(str(t))}</a></li>'
                        for pg, t in ((pages_by_nb[q.relative_to(nbs).as_posix()], t) for q, _, _, t in processed))
        desc = f'<p class="description">{html.escape(str(fm["description"]))}</p>' if fm.get('description') else ''
        doc = PAGE.format(title=html.escape(str(title)), site=html.escape(site), rel=rel, nav=nav, desc=desc, body=body,
                          extra_css=f'\n<link rel="stylesheet" href="{rel}styles.css">' if has_styles else '',
                          repo=f'<a href="{html.escape(repo)}">Source</a>' if repo else '')
        dest = tmp/page
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(doc, encoding='utf-8')
        written.append(page)
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
    ids = {pg: set(re.findall(r'\bid="([^"]+)"', (site/pg).read_text(encoding='utf-8'))) for pg in pages}
    for pg in pages:
        f = site/pg
        def fix(m):
            target = os.path.normpath(os.path.join(os.path.dirname(pg), m.group(1) or os.path.basename(pg))).replace(os.sep, '/')
            have = ids.get(target)
            if have is None or m.group(2) in have: return m.group(0)
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
