"""SASRec on short histories: the padding cut by `SASRec.encode` against the whole padded batch, in ONE process.

    python benchmarks/crm_padding.py                                   # the built-in ML-100k: long histories
    python benchmarks/crm_padding.py --dataset PATH/TO/amazon-beauty   # a folder you bring: short histories

One SASRec (RecBole's default sizes, max length 50) on the dataset's training split, batches of 2048 drawn at random
as training draws them. Each batch is timed both ways, the order alternating from batch to batch: `encode(seqs)`
(groups of 256 rows of similar history length, each cut to its longest history) and `encode(seqs, group=len(seqs))`
(one group: the batch as padded). Training: forward, CE over all items, backward and an Adam step; evaluation:
the validation split's scores without autograd. The two ways compute the same states (07_crm checks it); the timed
batches are after `--warmup` untimed ones. Reported: samples/s of each way, their ratio, and the share of positions
that the cut leaves to compute. The machine may be loaded by other jobs: the ratios, measured in one process with
the two ways alternating, are the meaningful numbers. Results: `results/crm_padding.json` (one entry per dataset).
"""
from __future__ import annotations
import argparse, json, os, platform, statistics, sys, time
from pathlib import Path
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from llmd4rec.data import load_dataset
from llmd4rec.crm import make_crm
from llmd4rec.fit import ce_loss

def _step(model, opt, seqs, targets, group):
    "One training step of `model` on a batch, with the padding cut (`group` rows) or not (`group=len(seqs)`)."
    opt.zero_grad()
    loss = ce_loss(model.encode(seqs, group=group) @ model.item_emb.weight.T, targets)
    loss.backward(); opt.step()

@torch.no_grad()
def _scores(model, seqs, group):
    "The scores of one evaluation batch."
    return model.encode(seqs, group=group) @ model.item_emb.weight.T

def _timed(fn, ways: dict, n: int, warmup: int) -> dict:
    "Seconds of `fn(i, way)` for each way over `n` calls after `warmup`, the ways alternating in order."
    secs = {w: [] for w in ways}
    for i in range(warmup + n):
        for w in (list(ways) if i % 2 else list(ways)[::-1]):
            t = time.perf_counter(); fn(i, ways[w]); dt = time.perf_counter() - t
            if i >= warmup: secs[w].append(dt)
    return secs

def _positions(seqs, group: int) -> float:
    "The share of the batch's positions that groups of `group` rows, each cut to its longest history, compute."
    width = (seqs > 0).sum(1).clamp(min=1).sort(descending=True).values
    return float(sum(int(c[0]) * len(c) for c in width.split(group)) / seqs.numel())

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dataset', default='ml-100k', help='a built-in name or a dataset folder')
    p.add_argument('--batches', type=int, default=10, help='timed training batches per way')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--batch-size', type=int, default=2048)
    p.add_argument('--out', default=str(ROOT/'benchmarks'/'results'/'crm_padding.json'))
    a = p.parse_args(argv)
    data = load_dataset(a.dataset, max_len=50)
    torch.manual_seed(0)
    model = make_crm('sasrec', data.n_items, seed=0, max_len=50)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batches = list(data.train.batches(a.batch_size, shuffle=True, generator=torch.Generator().manual_seed(0)))
    batches = batches[:a.warmup + a.batches]
    ways = dict(cut=256, whole=None)
    model.train()
    train = _timed(lambda i, g: _step(model, opt, batches[i][1], batches[i][2], g or len(batches[i][1])),
                   ways, a.batches, a.warmup)
    model.eval()
    valid = [s for _, s, _ in data.valid.batches(a.batch_size)]
    evals = _timed(lambda i, g: [_scores(model, s, g or len(s)) for s in valid], ways, 3, 1)
    n_train, n_valid = sum(len(b[1]) for b in batches[a.warmup:]), len(data.valid)
    res = dict(train_samples_per_s={w: n_train / sum(s) for w, s in train.items()},
               valid_samples_per_s={w: n_valid / statistics.median(s) for w, s in evals.items()})
    for k in list(res): res[k]['ratio'] = res[k]['cut'] / res[k]['whole']
    res['positions_computed'] = statistics.mean(_positions(b[1], 256) for b in batches)
    entry = dict(machine=dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(),
                              torch_threads=torch.get_num_threads(), torch=torch.__version__),
                 setup=dict(dataset=Path(a.dataset).name, items=data.n_items, train_samples=len(data.train),
                            mean_history=float((data.train.seqs > 0).sum(1).float().mean()), max_len=50,
                            batch_size=a.batch_size, batches=a.batches, group=256), **res)
    out = Path(a.out); old = json.loads(out.read_text()) if out.exists() else {}
    old[Path(a.dataset).name] = entry
    tmp = out.with_suffix('.tmp'); tmp.write_text(json.dumps(old, indent=1)); tmp.replace(out)
    print(json.dumps(entry, indent=1))

if __name__ == '__main__': main()
