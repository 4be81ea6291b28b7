"""llmd4rec side of the SASRec / GRU4Rec benchmark against RecBole 1.2.1 on ML-100k, and the side-by-side report.

    python benchmarks/crm_vs_recbole.py ours --model sasrec --epochs 12 --threads 1   # train ours, write results/ours_sasrec.json
    python benchmarks/crm_vs_recbole.py report                                         # tables + ratios -> results/crm_vs_recbole.md

RecBole's side is `recbole_side.py` (run in its own venv, see `run_recbole_bench.sh`); both read the same 5-core split
(`ml100k_atomic.py` writes it for RecBole; here we check that llmd4rec's own loader yields exactly those sequences).
Protocol (RecBole's for sequential models): every prefix is a training sample, leave-one-out valid/test, full ranking
over all items WITHOUT masking the user's history, CE loss, max length 50, Adam lr 1e-3, batch 2048, early stopping
on valid NDCG@10 with patience 10, the same epoch cap on both sides. Timings are only compared when both sides ran
with the same thread count at the same time on the same machine.
"""
import argparse, json, os, sys, tempfile, time
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

def run_ours(a):
    torch.set_num_threads(a.threads)
    from llmd4rec import __version__
    from llmd4rec.data import load_dataset
    from llmd4rec.crm import make_crm, fit
    from llmd4rec.metrics import evaluate
    ds = load_dataset('ml-100k')
    n_users = check_same_split(ds)
    model = make_crm(a.model, ds.n_items, seed=a.seed)
    out = RESULTS/(f'ours_{a.model}.json' if a.seed == 2026 else f'ours_{a.model}_seed{a.seed}.json')
    res = dict(library='llmd4rec', version=__version__, torch_version=torch.__version__, threads=a.threads, model=a.model,
               seed=a.seed, epoch_cap=a.epochs, same_split_checked_users=n_users, config=model.config,
               data=dict(users=ds.n_users, items=ds.n_items, interactions=ds.n_interactions, train_samples=len(ds.train)),
               num_parameters=sum(p.numel() for p in model.parameters()), epochs=[], train_seconds=[],
               valid_eval_seconds=[], train_loss=[], valid_metrics=[], status='running')
    def on_epoch(rec):
        res['epochs'].append(rec['epoch']); res['train_seconds'].append(rec['train_seconds'])
        res['valid_eval_seconds'].append(rec['eval_seconds']); res['train_loss'].append(rec['loss'])
        res['valid_metrics'].append(rec['valid'])
        atomic_json(res, out)
    hist = fit(model, ds, epochs=a.epochs, seed=a.seed, on_epoch=on_epoch, progress=not a.no_progress)
    best = max(hist, key=lambda h: h['valid']['NDCG@10'])
    res['best_epoch'], res['best_valid_NDCG@10'] = best['epoch'], best['valid']['NDCG@10']
    times = []
    for _ in range(3):
        t0 = time.perf_counter(); test = evaluate(model, ds.test, ks=KS, batch_size=4096); times.append(time.perf_counter() - t0)
    res.update(test_metrics=test, test_eval_seconds=times, total_train_seconds=sum(res['train_seconds']),
               mean_epoch_train_seconds=sum(res['train_seconds']) / len(res['train_seconds']), status='done')
    atomic_json(res, out)
    print(json.dumps(dict(test=test, best_epoch=res['best_epoch'], mean_epoch_s=res['mean_epoch_train_seconds']), indent=1))

def report(a):
    lines = ['# SASRec and GRU4Rec on ML-100k: llmd4rec vs RecBole 1.2.1', '',
             'Same 5-core split (checked sequence by sequence), RecBole protocol (no history masking), same config and epoch cap, '
             'one thread each, run side by side on the same 2-core machine.', '']
    for m in ('sasrec', 'gru4rec'):
        p_o, p_r = RESULTS/f'ours_{m}.json', RESULTS/f'recbole_{m}.json'
        if not (p_o.exists() and p_r.exists()): lines.append(f'- {m}: results missing ({p_o.name}, {p_r.name})'); continue
        o, r = json.loads(p_o.read_text()), json.loads(p_r.read_text())
        if o.get('status') != 'done' or r.get('status') != 'done': lines.append(f'- {m}: a run is not finished'); continue
        rt = r['test_metrics']; ot = o['test_metrics']
        lines += [f'## {m}', '', f'epochs run: llmd4rec {len(o["epochs"])} (best {o["best_epoch"]}), RecBole {len(r["epochs"])} '
                  f'(best {r["best_epoch"]}); cap {o["epoch_cap"]}/{r["epoch_cap"]}; parameters {o["num_parameters"]:,} / {r["num_parameters"]:,}', '',
                  '| test | ' + ' | '.join(rt) + ' |', '|---|' + '---|' * len(rt),
                  '| RecBole 1.2.1 | ' + ' | '.join(f'{rt[k]:.4f}' for k in rt) + ' |',
                  '| llmd4rec | ' + ' | '.join(f'{ot[k]:.4f}' for k in rt) + ' |',
                  '| ratio llmd4rec / RecBole | ' + ' | '.join(f'{ot[k] / rt[k]:.2f}' if rt[k] else 'n/a' for k in rt) + ' |', '']
        seeds = [o] + [json.loads(p.read_text()) for p in sorted(RESULTS.glob(f'ours_{m}_seed*.json'))]
        seeds = [x for x in seeds if x.get('status') == 'done']
        if len(seeds) > 1:
            import statistics as st
            lines += [f'llmd4rec over {len(seeds)} seeds ({", ".join(str(x["seed"]) for x in seeds)}), mean ± std (ratio of the mean to RecBole\'s single seed):', '',
                      '| test | ' + ' | '.join(rt) + ' |', '|---|' + '---|' * len(rt),
                      '| llmd4rec | ' + ' | '.join(f'{st.mean(x["test_metrics"][k] for x in seeds):.4f} ± {st.stdev(x["test_metrics"][k] for x in seeds):.4f}' for k in rt) + ' |',
                      '| ratio | ' + ' | '.join(f'{st.mean(x["test_metrics"][k] for x in seeds) / rt[k]:.2f}' for k in rt) + ' |', '']
        ep_o, ep_r = o['mean_epoch_train_seconds'], sum(r['train_seconds']) / len(r['train_seconds'])
        ev_o, ev_r = min(o['test_eval_seconds']), min(r['test_eval_seconds']) if 'test_eval_seconds' in r else float('nan')
        lines += [f'| time | RecBole | llmd4rec | ratio |', '|---|---|---|---|',
                  f'| train s/epoch | {ep_r:.1f} | {ep_o:.1f} | {ep_o / ep_r:.2f} |',
                  f'| total train s | {sum(r["train_seconds"]):.0f} | {o["total_train_seconds"]:.0f} | {o["total_train_seconds"] / sum(r["train_seconds"]):.2f} |',
                  f'| test full-ranking eval s | {ev_r:.3f} | {ev_o:.3f} | {ev_o / ev_r:.2f} |', '']
    text = '\n'.join(lines)
    (RESULTS/'crm_vs_recbole.md').write_text(text + '\n')
    print(text)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    o = sub.add_parser('ours'); o.add_argument('--model', choices=['sasrec', 'gru4rec'], required=True)
    o.add_argument('--epochs', type=int, required=True); o.add_argument('--seed', type=int, default=2026)
    o.add_argument('--threads', type=int, default=1); o.add_argument('--no-progress', action='store_true')
    sub.add_parser('report')
    a = ap.parse_args()
    run_ours(a) if a.cmd == 'ours' else report(a)
