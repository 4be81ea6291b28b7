"""llmd4rec side of the SASRec / GRU4Rec benchmark against RecBole 1.2.1 on ML-100k, the runs of both sides, and the report.

    python benchmarks/crm_vs_recbole.py all                  # both sides, seeds 1 2 3, to convergence (`make bench-crm`)
    python benchmarks/crm_vs_recbole.py ours --model sasrec --epochs 12 --threads 1   # one of our runs -> results/ours_sasrec.json
    python benchmarks/crm_vs_recbole.py report                                         # tables + ratios -> results/crm_vs_recbole.md
    python benchmarks/crm_vs_recbole.py report --results-dir benchmarks/results/cpu_converged

`all` runs, for every seed, RecBole's SASRec and GRU4Rec (`recbole_side.py`, with the interpreter of `--recbole-python`,
default $RECBOLE_PYTHON or .venvs/recbole/bin/python, which `make recbole-venv` builds), ours (`ours` below), and our
SASRec with RecBole's position numbering (`--positions start`): `--lanes` runs at a time, one thread each, each writing
RESULTS_DIR/<name>.json and <name>.log, then the report. It is resumable: a run whose JSON says status "done" is
skipped, and both sides continue from the checkpoint written after every epoch (`--checkpoint-dir`, default
runs/bench), so rerunning the command after an interruption loses at most one epoch per run. `--device cuda` with
`--lanes 15 --time-budget 420` runs all 15 at once on one GPU.

`ours --checkpoint PATH` makes one run resumable (`fit(checkpoint=...)`).

Result files: `{side}_{model}[_start]{_seedN}.json`, side `ours` or `recbole`, `_start` for our SASRec with
`--positions start` (RecBole's position numbering), no `_seedN` for seed 2026. `report` compares one RecBole run with
ours; where RecBole has several seeds it gives mean ± std per side.

RecBole's side is `recbole_side.py` (run in its own venv); both read the same 5-core split
(`ml100k_atomic.py` writes it for RecBole; here we check that llmd4rec's own loader yields exactly those sequences).
Protocol (RecBole's for sequential models): every prefix is a training sample, leave-one-out valid/test, full ranking
over all items WITHOUT masking the user's history, CE loss, max length 50, Adam lr 1e-3, batch 2048, early stopping
on valid NDCG@10 with patience 10, the same epoch cap on both sides. Timings are only compared when both sides ran
with the same thread count at the same time on the same machine.
"""
import argparse, copy, json, os, re, sys, tempfile, time
from pathlib import Path
import torch

HERE = Path(__file__).resolve().parent
RESULTS = HERE/'results'
KS = (5, 10, 20)

def atomic_json(obj, path):
    path = Path(path); path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.', suffix='.tmp')
    with os.fdopen(fd, 'w') as f: json.dump(obj, f, indent=2); f.write('\n')
    os.replace(tmp, path)

def check_same_split(ds):
    "Assert that llmd4rec's ML-100k sequences equal those of the atomic file RecBole reads."
    sys.path.insert(0, str(HERE))
    from ml100k_atomic import build_atomic
    cache = HERE.parent/'data'/'cache'/'recbole'
    inter = cache/'ml-100k-llmd4rec'/'ml-100k-llmd4rec.inter'
    if not inter.exists(): inter = Path(build_atomic(str(cache)))
    rows = [l.rstrip('\n').split('\t') for l in inter.read_text().splitlines()[1:]]
    theirs = {}
    for u, i, t in rows: theirs.setdefault(u, []).append((float(t), i))
    theirs = {u: [i for _, i in sorted(v)] for u, v in theirs.items()}
    ours = {str(ds.user_ids[u]): [str(ds.item_ids[i - 1]) for i in s] for u, s in enumerate(ds.seqs)}
    assert ours == theirs, 'llmd4rec and the RecBole atomic file disagree on the sequences'
    return len(ours)

class _TimeBudget(Exception): pass

def result_name(model, seed, positions='end'):
    "File stem of one of our runs: ours_sasrec.json (seed 2026), ours_sasrec_seed1.json, ours_sasrec_start_seed1.json."
    stem = f'ours_{model}' + ('_start' if positions == 'start' else '')
    return stem if seed == 2026 else f'{stem}_seed{seed}'

def run_ours(a):
    torch.set_num_threads(a.threads)
    if a.positions != 'end' and a.model != 'sasrec': sys.exit(f'--positions is a SASRec option, not one of {a.model}')
    if not re.fullmatch(r'cpu|cuda(:\d+)?', a.device): sys.exit(f'--device must be cpu, cuda or cuda:N, got {a.device!r}')
    if a.device != 'cpu' and not torch.cuda.is_available(): sys.exit(f'--device {a.device}: torch.cuda.is_available() is False')
    from llmd4rec import __version__
    from llmd4rec.data import load_dataset
    from llmd4rec.crm import make_crm
    from llmd4rec.fit import fit
    from llmd4rec.metrics import evaluate
    ds = load_dataset('ml-100k')
    n_users = check_same_split(ds)
    model = make_crm(a.model, ds.n_items, seed=a.seed, **({'positions': a.positions} if a.positions != 'end' else {}))
    device = None if a.device == 'cpu' else a.device   # None: exactly the CPU path as before
    out = Path(a.results_dir)/f'{result_name(a.model, a.seed, a.positions)}.json'
    res = dict(library='llmd4rec', version=__version__, torch_version=torch.__version__, threads=a.threads, model=a.model,
               seed=a.seed, epoch_cap=a.epochs, same_split_checked_users=n_users, config=model.config,
               data=dict(users=ds.n_users, items=ds.n_items, interactions=ds.n_interactions, train_samples=len(ds.train)),
               num_parameters=sum(p.numel() for p in model.parameters()), epochs=[], train_seconds=[],
               valid_eval_seconds=[], train_loss=[], valid_metrics=[], status='running')
    if a.model == 'sasrec': res['positions'] = a.positions
    res['device'] = a.device
    res['gpu_name'] = torch.cuda.get_device_name(a.device) if device else None
    res['time_budget_seconds'] = a.time_budget
    best = dict(state=None)   # our own copy of the best weights, only needed when the time budget stops fit()
    t_start = time.perf_counter()
    def record(rec):   # one epoch of fit's history into the result's per-epoch lists
        res['epochs'].append(rec['epoch']); res['train_seconds'].append(rec['train_seconds'])
        res['valid_eval_seconds'].append(rec['eval_seconds']); res['train_loss'].append(rec['loss'])
        res['valid_metrics'].append(rec['valid'])
    ckpt = Path(a.checkpoint).resolve() if a.checkpoint else None
    if ckpt and a.time_budget is not None: sys.exit('--checkpoint and --time-budget do not go together (a resumed run has a new budget)')
    if ckpt and ckpt.exists():   # a resumed run: the epochs fit() will not repeat, from its checkpoint
        done = torch.load(ckpt, map_location='cpu', weights_only=True)['history']
        for rec in done: record(rec)
        res['resumed_at_epochs'] = [len(done)]
        print(f'resuming from {ckpt} after epoch {len(done)}', flush=True)
    def on_epoch(rec):
        record(rec)
        atomic_json(res, out)
        if a.time_budget is None: return
        if rec.get('best'): best['state'] = copy.deepcopy(model.state_dict())
        if rec['epoch'] < a.epochs and time.perf_counter() - t_start >= a.time_budget: raise _TimeBudget
    try:
        hist = fit(model, ds, epochs=a.epochs, seed=a.seed, on_epoch=on_epoch, progress=not a.no_progress, device=device,
                   checkpoint=ckpt)
        res['stopped_by'] = 'early_stopping' if len(hist) < a.epochs else 'epoch_cap'
    except _TimeBudget:
        print(f'time budget of {a.time_budget:g} s reached after epoch {res["epochs"][-1]}', flush=True)
        model.load_state_dict(best['state']); model.eval()
        res['stopped_by'] = 'time_budget'
    res['early_stopped'] = res['stopped_by'] == 'early_stopping'
    i_best = max(range(len(res['epochs'])), key=lambda i: res['valid_metrics'][i]['NDCG@10'])
    res['best_epoch'], res['best_valid_NDCG@10'] = res['epochs'][i_best], res['valid_metrics'][i_best]['NDCG@10']
    times = []
    for _ in range(3):
        t0 = time.perf_counter(); test = evaluate(model, ds.test, ks=KS, batch_size=4096, device=device); times.append(time.perf_counter() - t0)
    res.update(test_metrics=test, test_eval_seconds=times, total_train_seconds=sum(res['train_seconds']),
               mean_epoch_train_seconds=sum(res['train_seconds']) / len(res['train_seconds']), status='done')
    atomic_json(res, out)
    print(json.dumps(dict(test=test, best_epoch=res['best_epoch'], mean_epoch_s=res['mean_epoch_train_seconds'],
                          stopped_by=res['stopped_by'], out=str(out)), indent=1))

def _seed_of(p):
    tail = p.stem.rsplit('_seed', 1)[-1]
    return int(tail) if tail.isdigit() else -1

def load_runs(d, stem):
    "Finished runs `stem.json` (seed 2026) then `stem_seedN.json` by N, and how many such files are unfinished."
    paths = ([d/f'{stem}.json'] if (d/f'{stem}.json').exists() else []) + sorted(d.glob(f'{stem}_seed*.json'), key=_seed_of)
    runs = [json.loads(p.read_text()) for p in paths if _seed_of(p) != -1 or p.name == f'{stem}.json']
    done = [r for r in runs if r.get('status') == 'done']
    return done, len(runs) - len(done)

def _stopped_by(r):
    if 'stopped_by' in r: return r['stopped_by']
    return 'early_stopping' if r.get('early_stopped', len(r['epochs']) < r['epoch_cap']) else 'epoch_cap'

def _ms(vals, fmt='.4f'):
    import statistics as st
    vals = list(vals)
    return f'{st.mean(vals):{fmt}} ± {st.stdev(vals):{fmt}}' if len(vals) > 1 else f'{vals[0]:{fmt}}'

def _mean(vals):
    vals = list(vals); return sum(vals) / len(vals)

def _header(all_runs):
    devs = sorted({r.get('device', 'cpu') for r in all_runs})
    if not all_runs or devs == ['cpu'] and {r.get('threads') for r in all_runs} == {1}:
        return ['Same 5-core split (checked sequence by sequence), RecBole protocol (no history masking), same config and epoch cap, '
                'one thread each, run side by side on the same 2-core machine.', '']
    gpus = sorted({r['gpu_name'] for r in all_runs if r.get('gpu_name')})
    threads = sorted({r.get('threads') for r in all_runs})
    return ['Same 5-core split (checked sequence by sequence), RecBole protocol (no history masking), same config, epoch cap '
            'and early stopping (valid NDCG@10, patience 10) on both sides.', '',
            f'Device: {", ".join(devs)}' + (f' ({", ".join(gpus)})' if gpus else '') + f'; threads {", ".join(map(str, threads))}. '
            'Timings compare only runs that did not share the device: `crm_vs_recbole.py all --lanes 15` runs all of them at once on one GPU.', '']

def _multi_seed(m, R, sides):
    "Lines for model `m`: RecBole's runs `R` against each (label, runs) of ours in `sides`, mean ± std over seeds."
    keys = list(R[0]['test_metrics'])
    def seeds(rs): return ', '.join(str(r['seed']) for r in rs)
    def stops(rs):
        c = {}
        for r in rs: c[_stopped_by(r)] = c.get(_stopped_by(r), 0) + 1
        return ', '.join(f'{k} {v}/{len(rs)}' for k, v in sorted(c.items()))
    def best1(r): return r['best_epoch'] + (1 if r['library'] == 'recbole' else 0)   # RecBole counts epochs from 0
    all_sides = [('RecBole 1.2.1', R)] + sides
    lines = [f'## {m}', '', '| runs | seeds | epochs run | best epoch (1-based) | stopped by | epoch cap | parameters |', '|---|---|---|---|---|---|---|']
    lines += [f'| {lab} | {seeds(rs)} | {_ms((len(r["epochs"]) for r in rs), ".1f")} | {_ms((best1(r) for r in rs), ".1f")} | {stops(rs)} | '
              f'{"/".join(sorted({str(r["epoch_cap"]) for r in rs}))} | {rs[0]["num_parameters"]:,} |' for lab, rs in all_sides]
    lines += ['', 'test metrics, mean ± std over seeds; ratios are of the means over the seeds both sides finished', '',
              '| test | ' + ' | '.join(keys) + ' |', '|---|' + '---|' * len(keys)]
    def matched(rs):   # (ours, RecBole's) runs of the seeds both have: every ratio is of means over the same seeds
        both = {r['seed'] for r in rs} & {r['seed'] for r in R}
        return [r for r in rs if r['seed'] in both], [r for r in R if r['seed'] in both]
    lines.append('| RecBole 1.2.1 | ' + ' | '.join(_ms(r['test_metrics'][k] for r in R) for k in keys) + ' |')
    for lab, rs in sides:
        lines.append(f'| {lab} | ' + ' | '.join(_ms(r['test_metrics'][k] for r in rs) for k in keys) + ' |')
        o, b = matched(rs)
        lines.append(f'| ratio {lab} / RecBole (seeds {seeds(o)}) | ' + ' | '.join(
            f'{_mean(r["test_metrics"][k] for r in o) / _mean(r["test_metrics"][k] for r in b):.2f}' if o else 'n/a' for k in keys) + ' |')
    def ep(r): return _mean(r['train_seconds'])
    def tot(r): return sum(r['train_seconds'])
    def ev(r): return min(r['test_eval_seconds']) if r.get('test_eval_seconds') else float('nan')
    def row(name, f, fmt):   # RecBole over all its seeds, then each side with its ratio to RecBole over matched seeds
        cells = []
        for _, rs in sides:
            o, b = matched(rs)
            cells.append(f'{_mean(map(f, o)):{fmt}} ({_mean(map(f, o)) / _mean(map(f, b)):.2f})' if o else 'n/a')
        return f'| {name} | {_mean(map(f, R)):{fmt}} | ' + ' | '.join(cells) + ' |'
    lines += ['', 'time, mean over seeds (ratio to RecBole over the same seeds)', '',
              '| time | RecBole | ' + ' | '.join(lab for lab, _ in sides) + ' |', '|---|---|' + '---|' * len(sides),
              row('train s/epoch', ep, '.2f'), row('total train s', tot, '.0f'), row('test full-ranking eval s', ev, '.3f'), '']
    return lines

def report(a):
    res_dir = Path(a.results_dir)
    found = {}
    for m in ('sasrec', 'gru4rec'):
        found[m] = dict(R=load_runs(res_dir, f'recbole_{m}'), O=load_runs(res_dir, f'ours_{m}'),
                        S=load_runs(res_dir, 'ours_sasrec_start') if m == 'sasrec' else ([], 0))
    all_runs = [r for f in found.values() for runs, _ in f.values() for r in runs]
    lines = ['# SASRec and GRU4Rec on ML-100k: llmd4rec vs RecBole 1.2.1', ''] + _header(all_runs)
    for m in ('sasrec', 'gru4rec'):
        (R, r_open), (O, o_open), (S, s_open) = found[m]['R'], found[m]['O'], found[m]['S']
        if not R or not O:
            if r_open or o_open: lines.append(f'- {m}: a run is not finished')
            else: lines.append(f'- {m}: results missing (ours_{m}.json, recbole_{m}.json)')
            continue
        if len(R) > 1:
            lines += _multi_seed(m, R, [('llmd4rec', O)] + ([("llmd4rec positions='start'", S)] if S else []))
            if r_open or o_open or s_open:
                lines += [f'unfinished runs left out (status not done, e.g. killed): RecBole {r_open}, llmd4rec {o_open}'
                          + (f", llmd4rec positions='start' {s_open}" if m == 'sasrec' else ''), '']
            continue
        r, o = R[0], O[0]
        rt = r['test_metrics']; ot = o['test_metrics']
        lines += [f'## {m}', '', f'epochs run: llmd4rec {len(o["epochs"])} (best {o["best_epoch"]}), RecBole {len(r["epochs"])} '
                  f'(best {r["best_epoch"] + 1}, counted from 1 as ours); cap {o["epoch_cap"]}/{r["epoch_cap"]}; parameters {o["num_parameters"]:,} / {r["num_parameters"]:,}', '',
                  '| test | ' + ' | '.join(rt) + ' |', '|---|' + '---|' * len(rt),
                  '| RecBole 1.2.1 | ' + ' | '.join(f'{rt[k]:.4f}' for k in rt) + ' |',
                  '| llmd4rec | ' + ' | '.join(f'{ot[k]:.4f}' for k in rt) + ' |',
                  '| ratio llmd4rec / RecBole | ' + ' | '.join(f'{ot[k] / rt[k]:.2f}' if rt[k] else 'n/a' for k in rt) + ' |', '']
        for lab, seeds in (('llmd4rec', O), ("llmd4rec positions='start'", S)):
            if len(seeds) > 1 or (seeds and seeds is S):
                lines += [f'{lab} over {len(seeds)} seeds ({", ".join(str(x["seed"]) for x in seeds)}), mean ± std (ratio of the mean to RecBole\'s single seed):', '',
                          '| test | ' + ' | '.join(rt) + ' |', '|---|' + '---|' * len(rt),
                          f'| {lab} | ' + ' | '.join(_ms(x["test_metrics"][k] for x in seeds) for k in rt) + ' |',
                          '| ratio | ' + ' | '.join(f'{_mean(x["test_metrics"][k] for x in seeds) / rt[k]:.2f}' for k in rt) + ' |', '']
        ep_o, ep_r = o['mean_epoch_train_seconds'], sum(r['train_seconds']) / len(r['train_seconds'])
        ev_o, ev_r = min(o['test_eval_seconds']), min(r['test_eval_seconds']) if 'test_eval_seconds' in r else float('nan')
        lines += [f'| time | RecBole | llmd4rec | ratio |', '|---|---|---|---|',
                  f'| train s/epoch | {ep_r:.1f} | {ep_o:.1f} | {ep_o / ep_r:.2f} |',
                  f'| total train s | {sum(r["train_seconds"]):.0f} | {o["total_train_seconds"]:.0f} | {o["total_train_seconds"] / sum(r["train_seconds"]):.2f} |',
                  f'| test full-ranking eval s | {ev_r:.3f} | {ev_o:.3f} | {ev_o / ev_r:.2f} |', '']
    rb = [r for r in all_runs if r['library'] == 'recbole']
    if any(r.get('anomaly_mode', True) for r in rb):   # runs before recbole_side.py switched it off have no such key
        an = RESULTS/'recbole_anomaly.json'
        cost = ('made its training step ' + ' and '.join(f'{1 / v["ratio_off_to_on"]:.1f}x slower ({m})'
                for m, v in json.loads(an.read_text())['models'].items()) + ' (`recbole_anomaly.py`)') if an.exists() else 'slowed its training'
        lines += [f'Note: {sum(r.get("anomaly_mode", True) for r in rb)} of {len(rb)} RecBole runs above trained with autograd\'s anomaly '
                  'detection on (importing RecBole turns it on for the process; `recbole_side.py` now switches it off). It changes '
                  f'no metric, but {cost}, so their train times overstate RecBole\'s cost by that much.', '']
    text = '\n'.join(lines)
    out = Path(a.out) if a.out else res_dir/'crm_vs_recbole.md'
    out.write_text(text + '\n')
    print(text)

KINDS = ('recbole_sasrec', 'ours_sasrec', 'recbole_gru4rec', 'ours_gru4rec', 'ours_sasrec_start')

def run_all(a):
    "Every run of `a.runs` x `a.seeds` that is not done yet, `a.lanes` at a time, then the report."
    import subprocess
    from concurrent.futures import ThreadPoolExecutor
    root, res_dir, ckpt_dir = HERE.parent, Path(a.results_dir).resolve(), Path(a.checkpoint_dir).resolve()
    res_dir.mkdir(parents=True, exist_ok=True); ckpt_dir.mkdir(parents=True, exist_ok=True)
    budget = ['--time-budget', str(a.time_budget)] if a.time_budget else []
    def command(kind, seed, name):
        common = ['--epochs', str(a.epochs), '--seed', str(seed), '--threads', '1', '--device', a.device, *budget]
        ckpt = [] if a.time_budget else ['--checkpoint', str(ckpt_dir/f'{name}.ckpt.pt')]   # a budget and a checkpoint do not mix
        if kind.startswith('recbole'):
            return [a.recbole_python, str(HERE/'recbole_side.py'), '--model', 'SASRec' if kind == 'recbole_sasrec' else 'GRU4Rec',
                    '--data-dir', str(root/'data'/'cache'/'recbole'), '--out', str(res_dir/f'{name}.json'), *common, *ckpt]
        model = 'gru4rec' if kind == 'ours_gru4rec' else 'sasrec'
        return [sys.executable, str(HERE/'crm_vs_recbole.py'), 'ours', '--model', model, '--results-dir', str(res_dir),
                '--no-progress', *(['--positions', 'start'] if kind == 'ours_sasrec_start' else []), *common, *ckpt]
    jobs = []
    for seed in a.seeds:
        for kind in (k for k in KINDS if k in a.runs):
            name = kind if seed == 2026 else f'{kind}_seed{seed}'
            out = res_dir/f'{name}.json'
            if out.exists() and json.loads(out.read_text()).get('status') == 'done': print(f'skip {name} (done)'); continue
            jobs.append((name, command(kind, seed, name)))
    if any(c[0] == a.recbole_python for _, c in jobs) and not Path(a.recbole_python).exists():
        sys.exit(f'--recbole-python {a.recbole_python} does not exist: run `make recbole-venv` or set RECBOLE_PYTHON')
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', PYTHONUNBUFFERED='1')
    env['PYTHONPATH'] = str(root) + os.pathsep + env.get('PYTHONPATH', '')   # llmd4rec from this checkout on both sides
    def one(job):
        name, cmd = job
        print(f'{time.strftime("%H:%M:%S")} start {name}', flush=True)
        with open(res_dir/f'{name}.log', 'a') as log: rc = subprocess.call(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        print(f'{time.strftime("%H:%M:%S")} end {name}: exit {rc}', flush=True)
        return rc
    with ThreadPoolExecutor(a.lanes) as pool: rcs = list(pool.map(one, jobs))
    a.out = None; report(a)
    if any(rcs): sys.exit(f'{sum(1 for r in rcs if r)} of {len(rcs)} runs failed: see their .log files in {res_dir}')

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    o = sub.add_parser('ours'); o.add_argument('--model', choices=['sasrec', 'gru4rec'], required=True)
    o.add_argument('--epochs', type=int, required=True); o.add_argument('--seed', type=int, default=2026)
    o.add_argument('--threads', type=int, default=1); o.add_argument('--no-progress', action='store_true')
    o.add_argument('--device', default='cpu', help='cpu (default), cuda or cuda:N: where our model trains and is evaluated')
    o.add_argument('--positions', choices=['end', 'start'], default='end',
                   help="SASRec's position numbering: 'end' (default) or 'start' (RecBole's); 'start' adds _start to the file name")
    o.add_argument('--results-dir', default=str(RESULTS), help='folder of the result JSON (default benchmarks/results)')
    o.add_argument('--checkpoint', default=None,
                   help='save the training state here after every epoch and continue from it if it exists (crm.fit)')
    o.add_argument('--time-budget', type=float, default=None,
                   help='seconds of training + validation after which no new epoch is started; test then uses the best epoch so far')
    r = sub.add_parser('report')
    r.add_argument('--results-dir', default=str(RESULTS), help='folder of the result JSONs (default benchmarks/results)')
    r.add_argument('--out', default=None, help='Markdown output (default RESULTS_DIR/crm_vs_recbole.md)')
    al = sub.add_parser('all', help='the runs of both sides (resumable), then the report')
    al.add_argument('--results-dir', default=str(RESULTS/'cpu_converged'), help='default benchmarks/results/cpu_converged')
    al.add_argument('--seeds', type=int, nargs='+', default=[1, 2, 3], help='2026 writes files without _seedN')
    al.add_argument('--epochs', type=int, default=200, help='epoch cap (early stopping on valid NDCG@10, patience 10)')
    al.add_argument('--runs', nargs='+', choices=KINDS, default=list(KINDS))
    al.add_argument('--lanes', type=int, default=2, help='runs at a time, one thread each')
    al.add_argument('--device', default='cpu')
    al.add_argument('--time-budget', type=float, default=None, help='per run, seconds (no checkpoints then)')
    al.add_argument('--recbole-python', default=os.environ.get('RECBOLE_PYTHON', str(HERE.parent/'.venvs'/'recbole'/'bin'/'python')),
                    help='interpreter with recbole==1.2.1 (default $RECBOLE_PYTHON, else .venvs/recbole/bin/python)')
    al.add_argument('--checkpoint-dir', default='runs/bench', help='per-run resumable checkpoints (not committed)')
    a = ap.parse_args()
    {'ours': run_ours, 'report': report, 'all': run_all}[a.cmd](a)
