"""Serving speed of `Recommender.recommend`: PyTorch against ONNX Runtime, side by side in ONE process.

    python benchmarks/serve_latency.py                      # ML-100k's catalogue, SASRec and GRU4Rec, < 2 minutes

For each CRM (RecBole's default sizes, max length 50) on ML-100k's 5-core catalogue (1,349 items), one run folder
(`model.pt` + `vocab.json`) is served by both backends: `Recommender.load(run)` (PyTorch, CPU) and
`Recommender.load(export_onnx(run, ...), backend='onnx')` (the exported file alone, ONNX Runtime's CPU provider).
The weights are the seeded initial ones: the speed of a forward pass does not depend on their values. The histories
are the users' real ones (their last 50 items), given as the dataset's item ids, so the timings include the mapping
of ids, the padding, the masking of seen items and the top-k, as a service pays them.

- per-request latency: `recommend(history, k=10)` for one user at a time (batch 1), `--requests` calls, the two
  backends in alternating blocks of 50 calls (5 warm-up calls after each switch, and a pause: ONNX Runtime's idle
  threads spin for a while after a call, which slows PyTorch's threads tenfold when the calls are interleaved one by
  one); p50 and p99 in milliseconds;
- throughput: `recommend_batch(histories, k=10)` on batches of 256 users, the median of `--repeats` batches; users/s.

Both backends use the threads they take by default (torch: `torch.get_num_threads()`; ONNX Runtime: one per core).
The machine may be loaded by other jobs: the ratios, measured in one process with the backends alternating, are
the meaningful numbers. Results: `results/serve_latency.json`.
"""
from __future__ import annotations
import argparse, json, os, platform, statistics, sys, tempfile, time
from pathlib import Path
import numpy as np, torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from llmd4rec.data import Vocab, VOCAB_FILE, load_dataset
from llmd4rec.crm import make_crm, save_crm
from llmd4rec.serve import Recommender, export_onnx

def _run_folder(kind: str, data, out: Path) -> Path:
    "A run folder of `kind` on `data`: seeded initial weights and the vocabulary."
    out.mkdir(parents=True)
    Vocab.from_data(data, 'ml-100k').save(out/VOCAB_FILE)
    save_crm(make_crm(kind, data.n_items, seed=0, max_len=data.max_len), out/'model.pt')
    return out

def _latency(recs: dict, histories: list, n: int, block: int = 50) -> dict:
    "Per-request latency (ms) of `recommend` for each backend, in alternating blocks of `block` calls."
    times = {b: [] for b in recs}
    for start in range(0, n, block):
        for b, rec in recs.items():
            time.sleep(0.1)   # ONNX Runtime's threads spin for a while after a call: let them park first
            for i in range(start - 5, min(start + block, n)):   # 5 warm-up calls after each switch
                h = histories[i % len(histories)]
                t = time.perf_counter(); rec.recommend(h, k=10); dt = time.perf_counter() - t
                if i >= start: times[b].append(dt * 1e3)
    return {b: dict(p50_ms=float(np.percentile(t, 50)), p99_ms=float(np.percentile(t, 99)), mean_ms=statistics.mean(t))
            for b, t in times.items()}

def _throughput(recs: dict, histories: list, batch: int, repeats: int) -> dict:
    "Users per second of `recommend_batch` on batches of `batch` users, the median over `repeats` batches."
    secs = {b: [] for b in recs}
    for r in range(repeats + 1):
        hs = [histories[(r * batch + j) % len(histories)] for j in range(batch)]
        for b, rec in recs.items():
            time.sleep(0.1)
            t = time.perf_counter(); rec.recommend_batch(hs, k=10); dt = time.perf_counter() - t
            if r: secs[b].append(dt)   # the first batch is the warm-up
    return {b: dict(users_per_s=batch / statistics.median(s), batch_ms=statistics.median(s) * 1e3)
            for b, s in secs.items()}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--models', nargs='+', default=['sasrec', 'gru4rec'])
    p.add_argument('--requests', type=int, default=300, help='batch-1 calls per backend')
    p.add_argument('--batch', type=int, default=256)
    p.add_argument('--repeats', type=int, default=5, help='batches per backend')
    p.add_argument('--out', default=str(ROOT/'benchmarks'/'results'/'serve_latency.json'))
    a = p.parse_args(argv)
    import onnxruntime
    data = load_dataset('ml-100k')
    histories = [[str(data.item_ids[i - 1]) for i in s[-data.max_len:]] for s in data.seqs]
    res = dict(machine=dict(cpu=platform.processor() or platform.machine(), cores=os.cpu_count(),
                            torch_threads=torch.get_num_threads(), torch=torch.__version__,
                            onnxruntime=onnxruntime.__version__),
               setup=dict(dataset='ml-100k', items=data.n_items, max_len=data.max_len, k=10, requests=a.requests,
                          batch=a.batch, repeats=a.repeats), models={})
    with tempfile.TemporaryDirectory() as tmp:
        for kind in a.models:
            run = _run_folder(kind, data, Path(tmp)/kind)
            recs = dict(torch=Recommender.load(run), onnx=Recommender.load(export_onnx(run, Path(tmp)/f'{kind}.onnx'),
                                                                           backend='onnx'))
            lat, thr = _latency(recs, histories, a.requests), _throughput(recs, histories, a.batch, a.repeats)
            m = res['models'][kind] = {b: dict(**lat[b], **thr[b]) for b in recs}
            m['onnx_vs_torch'] = dict(p50_speedup=m['torch']['p50_ms'] / m['onnx']['p50_ms'],
                                      p99_speedup=m['torch']['p99_ms'] / m['onnx']['p99_ms'],
                                      throughput_ratio=m['onnx']['users_per_s'] / m['torch']['users_per_s'])
            print(f"{kind:8} {'backend':8} {'p50 ms':>8} {'p99 ms':>8} {'users/s @' + str(a.batch):>14}")
            for b in recs:
                print(f"{'':8} {b:8} {m[b]['p50_ms']:8.2f} {m[b]['p99_ms']:8.2f} {m[b]['users_per_s']:14,.0f}")
            r = m['onnx_vs_torch']
            print(f"{'':8} onnx/torch: p50 {r['p50_speedup']:.2f}x faster, p99 {r['p99_speedup']:.2f}x faster, "
                  f"throughput {r['throughput_ratio']:.2f}x")
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=2) + '\n')
    print(f'wrote {Path(a.out).relative_to(ROOT) if Path(a.out).is_relative_to(ROOT) else a.out}')

if __name__ == '__main__': main()
