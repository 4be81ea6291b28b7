"""The docs site: built by tools/build_docs.py (what `make docs` runs), served on 127.0.0.1 and read in headless
Chromium (Debian's `chromium`, which .ci/run installs), driven over the DevTools protocol on a pipe (stdlib only)."""
import tempfile, base64, fcntl, functools, html, http.server, json, os, re, select, shutil, subprocess, sys, threading, time, urllib.request
from pathlib import Path
import pytest, yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]/'tools'))
import build_docs

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
    reason=f'{CHROMIUM} is missing: install Debian\'s chromium (apt-get install chromium; .ci/run does) to run the browser test')

def _page(nb):
    return re.sub(r'^\d+[a-zA-Z0-9]*_', '', nb.lower()).replace('.ipynb', '.html')

def _notebooks():
    return sorted(p.name for p in (ROOT/'nbs').glob('*.ipynb'))

def _has_mathjax():
    return bool(os.environ.get('MATHJAX_DIR')) or (build_docs.MATHJAX_CACHE/'node_modules/mathjax/es5/tex-chtml.js').exists() \
        or bool(shutil.which('npm'))

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "Build the site into a temp dir with the same command `make docs` runs."
    if not _has_mathjax(): pytest.skip('npm is missing: the docs build installs MathJax with it (apt-get install npm; .ci/run does)')
    out = tmp_path_factory.mktemp('docs')/'_docs'
    t = time.time()
    r = subprocess.run([sys.executable, 'tools/build_docs.py', '--out', str(out), '--quiet'], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f'docs build failed:\n{r.stdout}\n{r.stderr}'
    print(r.stdout.strip(), f'({time.time()-t:.1f}s with interpreter start)')
    return out

@pytest.fixture(scope='module')
def server(site):
    "The site served over HTTP on a free port of 127.0.0.1; yields its base URL."
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    th = threading.Thread(target=httpd.serve_forever, daemon=True); th.start()
    yield f'http://127.0.0.1:{httpd.server_address[1]}/'
    httpd.shutdown(); httpd.server_close()

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

class Chromium:
    "Headless Chromium driven over the DevTools protocol on `--remote-debugging-pipe` (fds 3 and 4, NUL-framed JSON)."
    def __init__(self, profile, timeout=90):
        self.timeout, self.n, self.events = timeout, 0, []
        def high(fd):  # the child's ends go above fd 10, so placing them on fds 3 and 4 cannot clobber one another
            h = fcntl.fcntl(fd, fcntl.F_DUPFD, 10); os.close(fd); return h
        to_chrome_r, self._w = os.pipe()
        self._r, from_chrome_w = os.pipe()
        to_chrome_r, from_chrome_w = high(to_chrome_r), high(from_chrome_w)
        flags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic',
                 '--disable-default-apps', '--disable-extensions', '--mute-audio', '--hide-scrollbars',
                 # nothing but the local server: a CDN script (MathJax) fails at once instead of waiting on DNS
                 '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
                 f'--user-data-dir={profile}', '--window-size=1280,900', '--remote-debugging-pipe', 'about:blank']
        def fds():  # the child's fd 3 reads our commands, fd 4 writes its answers
            os.dup2(to_chrome_r, 3); os.dup2(from_chrome_w, 4)
        # close_fds=False: Popen would close fds 3 and 4 after preexec_fn; Python's other fds are close-on-exec anyway
        self.proc = subprocess.Popen([CHROMIUM, *flags], preexec_fn=fds, close_fds=False,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_chrome_r); os.close(from_chrome_w)
        self._buf = b''
        tid = self.send('Target.createTarget', url='about:blank')['targetId']
        self.session = self.send('Target.attachToTarget', targetId=tid, flatten=True)['sessionId']
        self.send('Page.enable'); self.send('Runtime.enable')

    def _read(self, deadline):
        while b'\0' not in self._buf:
            left = deadline - time.time()
            if left <= 0: raise TimeoutError('Chromium did not answer in time')
            if select.select([self._r], [], [], left)[0]:
                chunk = os.read(self._r, 1 << 20)
                if not chunk: raise RuntimeError(f'Chromium exited: {self.proc.stderr.read().decode()[-2000:]}')
                self._buf += chunk
        msg, self._buf = self._buf.split(b'\0', 1)
        return json.loads(msg)

    def send(self, method, session=True, **params):
        self.n += 1
        msg = {'id': self.n, 'method': method, 'params': params}
        if session and hasattr(self, 'session'): msg['sessionId'] = self.session
        os.write(self._w, json.dumps(msg).encode() + b'\0')
        deadline = time.time() + self.timeout
        while True:
            m = self._read(deadline)
            if m.get('id') == self.n:
                if 'error' in m: raise RuntimeError(f'{method}: {m["error"]}')
                return m.get('result', {})
            self.events.append(m)

    def wait_event(self, method):
        deadline = time.time() + self.timeout
        while True:
            for i, m in enumerate(self.events):
                if m.get('method') == method: return self.events.pop(i)
            self.events.append(self._read(deadline))

    def open(self, url):
        "Navigate to `url` and wait for its load event; return the HTTP status of the document."
        self.events.clear()
        self.send('Page.navigate', url=url)
        self.wait_event('Page.loadEventFired')
        return self.eval('performance.getEntriesByType("navigation")[0].responseStatus')

    def eval(self, js):
        r = self.send('Runtime.evaluate', expression=js, returnByValue=True, awaitPromise=True)
        if 'exceptionDetails' in r: raise RuntimeError(f'{js}: {r["exceptionDetails"]}')
        return r['result'].get('value')

    def viewport(self, width, height=900):
        "Emulate a window `width` CSS px wide (a phone below 800 px: its meta viewport applies)."
        self.send('Emulation.setDeviceMetricsOverride', width=width, height=height, deviceScaleFactor=1, mobile=width < 800)

    def click(self, selector):
        "Click the first element matching `selector`, which navigates, and wait for the new page's load event."
        self.events.clear()
        assert self.eval(f'(e => e ? (e.click(), true) : false)(document.querySelector({json.dumps(selector)}))'), selector
        self.wait_event('Page.loadEventFired')

    def typeset(self):
        "Wait for MathJax's first typesetting of the page; return the number of typeset formulas."
        return self.eval('''new Promise((ok, fail) => { const t0 = Date.now(); const w = () =>
            window.MathJax && MathJax.startup && MathJax.startup.promise ? MathJax.startup.promise.then(
                () => ok(document.querySelectorAll("mjx-container").length), fail)
            : Date.now() - t0 > 20000 ? fail("MathJax did not start") : setTimeout(w, 25); w(); })''')

    def screenshot(self, path):
        data = self.send('Page.captureScreenshot', format='png', captureBeyondViewport=False)['data']
        Path(path).write_bytes(base64.b64decode(data))
        return path

    def close(self):
        try: self.send('Browser.close', session=False)
        except Exception: pass
        try: self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()
        os.close(self._w); os.close(self._r)

@pytest.fixture(scope='module')
def browser(tmp_path_factory):
    if not Path(CHROMIUM).exists(): pytest.skip(f'{CHROMIUM} is missing (apt-get install chromium)')
    b = Chromium(tmp_path_factory.mktemp('chromium-profile'))
    yield b
    b.close()

def test_site_pages(site):
    "One page per notebook, named as nbdev/Quarto name them; links between pages are relative and their anchors exist."
    pages = sorted(p.name for p in site.glob('*.html'))
    assert pages == sorted(_page(nb) for nb in _notebooks())
    ids = {p.name: {html.unescape(i) for i in re.findall(r'\bid="([^"]+)"', p.read_text())} for p in site.glob('*.html')}
    for p in site.glob('*.html'):
        text = p.read_text()
        assert 'llmd4rec.github.io' not in text, f'{p.name} links to the doc host instead of a relative page'
        for target, frag in re.findall(r'href="([^"#:]*)#([^"]+)"', text):  # every in-site anchor exists
            assert html.unescape(frag) in ids[target or p.name], f'{p.name} links to {target}#{frag}, which has no such anchor'   # as a browser reads them

def test_quarto_config():
    "Where Quarto exists `nbdev_docs` builds from nbs/: its sidebar lists every notebook, its output dir is doc_path."
    q = yaml.safe_load((ROOT/'nbs'/'_quarto.yml').read_text())
    assert set(q['metadata-files']) >= {'nbdev.yml', 'sidebar.yml'}
    assert yaml.safe_load((ROOT/'nbs'/'nbdev.yml').read_text())['project']['output-dir'] == '_docs'
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    assert side[0] == 'index.ipynb'
    assert sorted(side) == _notebooks(), f'nbs/sidebar.yml lists {side}, the notebooks are {_notebooks()}'

@needs_chromium
def test_index_and_sidebar(browser, server, site, tmp_path):
    assert browser.open(server + 'index.html') == 200
    assert browser.eval('document.querySelector("header.page h1").innerText') == 'llmd4rec'
    side = browser.eval('[...document.querySelectorAll("nav.sidebar li a")].map(a => [a.href, a.innerText])')
    assert len(side) == len(_notebooks()), side
    assert all(t.strip() and not t.endswith('.ipynb') for _, t in side), f'sidebar titles should be the H1s: {side}'
    links = browser.eval('[...document.querySelectorAll("a[href]")].map(a => a.href)')
    local = sorted({l.split('#')[0] for l in links if l.startswith(server)})
    assert {h for h, _ in side} <= set(local)
    for url in local:  # every sidebar and in-page link to the site resolves
        with urllib.request.urlopen(url, timeout=30) as r: assert r.status == 200, url
    assert server + 'crm.html' in local
    shot = browser.screenshot(tmp_path/'index.png')
    print('screenshot:', shot)

@needs_chromium
def test_api_page(browser, server, tmp_path):
    "The CRM chapter carries `show_doc`'s rendered signature of SASRec, with its documented parameters."
    assert browser.open(server + 'crm.html') == 200
    assert browser.eval('document.querySelector("nav.sidebar a.active").getAttribute("href")') == 'crm.html'
    docs = browser.eval('[...document.querySelectorAll(".celltag_show-doc")].map(e => e.innerText)')
    assert docs, 'no show_doc output on crm.html'
    sasrec = [d for d in docs if re.search(r'^SASRec', d, re.M)]
    assert sasrec and 'n_items' in sasrec[0] and 'max_len' in sasrec[0], docs[:3]
    assert browser.eval('!!document.getElementById("sasrec")')
    assert browser.eval('[...document.querySelectorAll(".celltag_show-doc pre")].some(e => /def\\s+train_crm\\(/.test(e.innerText))')
    browser.eval('document.getElementById("sasrec").scrollIntoView()')
    shot = browser.screenshot(tmp_path/'crm.png')
    print('screenshot:', shot)

@needs_chromium
def test_plot_loads(browser, server, site, tmp_path):
    "A plot saved in a notebook's outputs is embedded in its page and the browser decodes it."
    with_img = [p.name for p in sorted(site.glob('*.html')) if re.search(r'<img[^>]+src="data:image/png', p.read_text())]
    if not with_img: pytest.skip('no notebook has a PNG plot output yet, so no page shows one')
    page = 'cli.html' if 'cli.html' in with_img else with_img[0]
    assert browser.open(server + page) == 200
    sizes = browser.eval('''Promise.all([...document.querySelectorAll(".output_area img")].map(i =>
        i.decode().then(() => [i.naturalWidth, i.naturalHeight], () => [0, 0])))''')
    assert sizes and all(w > 0 and h > 0 for w, h in sizes), sizes
    browser.eval('document.querySelector(".output_area img").scrollIntoView()')
    print('screenshot:', browser.screenshot(tmp_path/'plot.png'))

@needs_chromium
def test_plot_embedded(browser, tmp_path):
    "The build embeds a notebook's PNG output and a markdown image next to the notebook; the browser decodes both."
    import io, nbformat
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4, 3)); ax.plot([1, 2, 3], [0.1, 0.3, 0.2]); ax.set_title('NDCG@10 per epoch')
    buf = io.BytesIO(); fig.savefig(buf, format='png'); plt.close(fig)
    nbs = tmp_path/'nbs'; nbs.mkdir()
    (nbs/'curve.png').write_bytes(buf.getvalue())
    code = nbformat.v4.new_code_cell('plot()', outputs=[nbformat.v4.new_output(
        'display_data', data={'image/png': base64.b64encode(buf.getvalue()).decode(), 'text/plain': '<Figure>'})])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Plots\n\n> A fixture chapter'), code,
                                         nbformat.v4.new_markdown_cell('![the curve](curve.png)')])
    nbformat.write(nb, nbs/'00_plots.ipynb')
    out = tmp_path/'site'
    r = subprocess.run([sys.executable, 'tools/build_docs.py', '--nbs', str(nbs), '--out', str(out), '--quiet'],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (out/'plots.html').exists()
    browser.open((out/"plots.html").as_uri())  # file://: no HTTP status to check
    sizes = browser.eval('''Promise.all([...document.querySelectorAll("main img")].map(i =>
        i.decode().then(() => [i.naturalWidth, i.naturalHeight], () => [0, 0])))''')
    assert len(sizes) == 2 and all(w > 0 and h > 0 for w, h in sizes), sizes
    assert browser.eval('document.querySelector("header.page h1").innerText') == 'Plots'
    print('screenshot:', browser.screenshot(tmp_path/'plots.png'))


def _order():
    "The site's pages in chapter order (nbs/sidebar.yml)."
    side = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    return [_page(nb) for nb in side]

def test_notebook_outputs_clean():
    "No kept output shows a warning, a progress bar or a path of the machine that ran it (the build strips them too)."
    bad = []
    for nb in _notebooks():
        for i, c in enumerate(json.loads((ROOT/'nbs'/nb).read_text())['cells']):
            for o in c.get('outputs', []):
                texts = ([''.join(o.get('text', ''))] + [''.join(v) for k, v in (o.get('data') or {}).items() if k.startswith('text/')]
                         + list(o.get('traceback') or []))
                for kind in sorted({k for t in texts for k in build_docs.noise(t)}): bad.append(f'{nb} cell {i}: {kind}')
                if o.get('name') == 'stderr' and re.search(r'warn|deprecat', ''.join(o.get('text', '')), re.I):
                    bad.append(f'{nb} cell {i}: a warning on stderr')
    assert not bad, 'kept outputs with noise (silence it in the notebook, then run tools/run_nbs.py):\n' + '\n'.join(bad)

def test_build_strips_noise():
    "The build's safety net: warnings (with their source line), progress bars and machine paths leave the outputs."
    o = {'output_type': 'stream', 'name': 'stderr', 'text': [
        f'{ROOT}/llmd4rec/x.py:3: FutureWarning: `foo` is deprecated\n', '  warnings.warn(msg)\n',
        'Loading weights:  40%|####      | 4/10 [00:01<00:02, 3.1it/s]\rLoading weights: 100%|##########| 10/10 [00:02<00:00]\n']}
    assert build_docs._clean_output(o) is None
    tmp = Path(tempfile.gettempdir())/'tmpab12cd'/'u.data'   # a temporary folder's path, as a demo would print it
    o = {'output_type': 'execute_result', 'data': {'text/plain': [f"RawData(3 interactions, from {tmp}) in ",
                                                                   f"{ROOT}/data/results/x.json"]}}
    assert build_docs._clean_output(o)['data']['text/plain'] == 'RawData(3 interactions, from u.data) in data/results/x.json'

def test_public_names_documented(site):
    "Every public function and class of the package has a docstring of its own; no page falls back on an inherited one."
    import importlib, inspect, pkgutil, llmd4rec
    missing = []
    for m in pkgutil.iter_modules(llmd4rec.__path__):
        mod = importlib.import_module(f'llmd4rec.{m.name}')
        for n in getattr(mod, '__all__', []):
            o = getattr(mod, n)
            if inspect.isfunction(o) and not (o.__doc__ or '').strip(): missing.append(f'{m.name}.{n}')
            if inspect.isclass(o) and not (o.__dict__.get('__doc__') or '').strip(): missing.append(f'{m.name}.{n}')
    assert not missing, f'public names without a docstring: {missing}'
    for p in site.glob('*.html'):
        text = p.read_text()
        for stock in ('Call self as a function.', 'Initialize self.  See help(type(self))', 'Built-in mutable sequence.'):
            assert stock not in text, f'{p.name} shows an inherited docstring: {stock!r}'
        desc = re.search(r'<p class="description">(.*?)</p>', text, re.S)
        assert not desc or '`' not in desc.group(1), f'{p.name}: raw backticks in the subtitle: {desc.group(1)}'

def test_offline_assets(site):
    "Maths, search and styles come from the site itself (relative paths), never from a CDN."
    assert (site/'mathjax'/'tex-chtml.js').stat().st_size > 500_000
    assert list((site/'mathjax'/'output'/'chtml'/'fonts'/'woff-v2').glob('*.woff'))
    assert (site/'search.js').read_text().startswith('window.SEARCH_INDEX = [')
    for p in site.glob('*.html'):
        text = p.read_text()
        remote = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', text)
        assert not remote, f'{p.name} loads {remote}'
        assert 'src="mathjax/tex-chtml.js"' in text and 'src="search.js"' in text, p.name

# What a reader should never see in an output, and maths left untypeset outside code, as the browser reads the page
_PAGE_CHECK = r"""(() => {
  const outs = [...document.querySelectorAll('.output_area')].map(e => e.innerText);
  const noise = [];
  for (const t of outs) {
    const m = t.match(/\b[A-Z]\w*Warning\b|^WARNING\b|\d+%\|[^|\n]*\||\b\d+\/\d+ \[\d+:\d\d[<\]]|\b[\d.]+\s?(?:it\/s|s\/it)\b/m)
           || t.match(/(?<![\w.~\/-])\/(?:work|home|root|tmp|Users)\/\S+/);
    if (m) noise.push(m[0].slice(0, 100));
  }
  if (document.querySelector('.output_stderr')) noise.push('stderr: ' + document.querySelector('.output_stderr').innerText.slice(0, 100));
  const walk = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest('pre, code, script, style, mjx-container, textarea') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  const raw = []; let n;
  while ((n = walk.nextNode())) { const m = n.textContent.match(/\$[^$\s](?:[^$]*[^$\s])?\$|\\\(|\\\[|\$\$/); if (m) raw.push(m[0].slice(0, 80)); }
  return {page: location.pathname.split('/').pop(), width: document.documentElement.scrollWidth, view: innerWidth,
          prev: (document.querySelector('a[rel=prev]') || {}).href || null, next: (document.querySelector('a[rel=next]') || {}).href || null,
          noise, raw, toc: document.querySelectorAll('nav.toc a').length};
})()"""

@needs_chromium
@pytest.mark.parametrize('scheme', ['file', 'http'])
def test_reading(browser, site, server, scheme, tmp_path):
    """Read the whole site as a reader would, over file:// and over HTTP: next through every chapter in order at
    1280 px, back with previous at 390 px; on each page the maths is typeset, nothing is wider than the window,
    and no output is a warning or a progress bar. Then search for a function by name and follow the hit."""
    base = site.as_uri() + '/' if scheme == 'file' else server
    order, problems, maths = _order(), [], {}
    for width, start, link, seq in ((1280, order[0], 'a[rel=next]', order), (390, order[-1], 'a[rel=prev]', order[::-1])):
        browser.viewport(width, 900 if width > 800 else 844)
        browser.open(base + start)
        for i, want in enumerate(seq):
            maths[want] = browser.typeset()
            r = browser.eval(_PAGE_CHECK)
            assert r['page'] == want, f'{link} led to {r["page"]}, expected {want} (chapter order: {seq})'
            if r['width'] > r['view']: problems.append(f'{want} at {width}px: the page is {r["width"]}px wide')
            if r['noise']: problems.append(f'{want}: output noise {r["noise"][:3]}')
            if r['raw']: problems.append(f'{want}: maths left untypeset {r["raw"][:3]}')
            if i + 1 < len(seq): browser.click(link)
            else: assert r['next' if link == 'a[rel=next]' else 'prev'] is None, f'{want} should have no {link}'
    assert not problems, '\n'.join(problems)
    assert maths['distill.html'] >= 10 and maths['metrics.html'] >= 3, maths   # typeset formulas (mjx-container)
    browser.viewport(1280)
    browser.open(base + 'distill.html')
    assert browser.eval('document.querySelectorAll("nav.toc a").length') >= 5   # the page's contents list
    browser.eval('document.getElementById("search-input").focus()')
    browser.send('Input.insertText', text='train_crm')
    hits = browser.eval('[...document.querySelectorAll("#search-results a")].map(a => [a.innerText, a.getAttribute("href")])')
    assert hits and hits[0][1] == 'crm.html#train_crm', hits[:5]
    browser.events.clear()
    browser.send('Input.dispatchKeyEvent', type='keyDown', key='Enter', code='Enter', windowsVirtualKeyCode=13)
    browser.send('Input.dispatchKeyEvent', type='keyUp', key='Enter', code='Enter', windowsVirtualKeyCode=13)
    browser.wait_event('Page.loadEventFired')
    assert browser.eval('location.pathname.split("/").pop() + location.hash') == 'crm.html#train_crm'
    assert browser.eval('!!document.getElementById("train_crm")')
    print('screenshot:', browser.screenshot(tmp_path/f'search_{scheme}.png'))
