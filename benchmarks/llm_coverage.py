"""The LLM's cost per training prefix: the `sequence` layout against the `prompt` layout, side by side in one process.

    python benchmarks/llm_coverage.py [--history-len 10 50] [--batches 3] [--batch-size 16]

The built-in SmolLM2-135M recommender on ML-100k (no titles; untrained LoRA and heads: the cost of a pass does not
depend on the weights), float32 on this CPU. For each `history_len` L and each layout, alternating:
- training: AdamW steps (forward, backward, step) on batches of the training split, `prompt`: `--batch-size`
  prefixes per batch, one pass each; `sequence`: `--batch-size` windows (`Windows`, up to 2L items) per batch, every
  counted prefix of a window learned from its one pass; reported as training prefixes learned per second;
- teacher cache: `build_teacher_cache` over every prefix of the first users (about `--cache-prefixes`), one pass per
  prefix (prompt) or per window (sequence), prefixes per second.
Prints the figures and the sequence/prompt ratios (targets: >= 10x at L = 10, >= 20x at L = 50); writes
benchmarks/results/llm_coverage.json.
"""
import argparse, json, logging, time, warnings
from pathlib import Path
import torch

HERE = Path(__file__).resolve().parent

def _train_rate(llm, data, batches, batch_size, windows):
    "Training prefixes learned per second over `batches` optimizer steps (after one warm-up step)."
    from llmd4rec.fit import _local_step
    params = [p for p in llm.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    source = windows if windows is not None else data.train
    it = source.batches(batch_size, shuffle=True, generator=torch.Generator().manual_seed(0))
    llm.train(); n, secs = 0, 0.
    for b in range(batches + 1):
        i, seqs, targets = next(it)
        t0 = time.perf_counter()
        _local_step(llm, opt, params, seqs, targets, i, None, 1.0, False, None, '')
        if b: secs += time.perf_counter() - t0; n += int((targets > 0).sum())
    return n / secs

def _cache_rate(llm, data, samples, windows, batch_size):
    "Teacher-cache prefixes per second."
    from llmd4rec.distill import build_teacher_cache
    t0 = time.perf_counter()
    cache = build_teacher_cache(llm, data.train, windows if windows is not None else samples, k=100,
                                batch_size=batch_size, progress=False)
    return len(cache) / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--history-len', type=int, nargs='+', default=[10, 50])
    p.add_argument('--batches', type=int, default=3, help='timed training steps per layout')
    p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--cache-prefixes', type=int, default=300, help='cache all prefixes of the first users, about this many')
    a = p.parse_args()
    warnings.filterwarnings('ignore'); logging.getLogger('transformers').setLevel(logging.ERROR)
    from llmd4rec.data import load_dataset
    from llmd4rec.crm import make_crm
    from llmd4rec.lm import Windows
    from llmd4rec.llm import make_llm
    res = dict(threads=torch.get_num_threads(), batch_size=a.batch_size, rows=[])
    for L in a.history_len:
        data = load_dataset('ml-100k', max_len=2 * L)
        crm = make_crm('sasrec', data.n_items, seed=0, max_len=2 * L)
        n_users = int((torch.cumsum(torch.bincount(data.train.users.long()), 0) < a.cache_prefixes).sum()) + 1
        samples = torch.nonzero(data.train.users < n_users)[:, 0]   # every prefix of the first users, as the trainer caches
        row = dict(history_len=L)
        for layout in ('prompt', 'sequence'):
            torch.manual_seed(0)
            llm = make_llm('smollm2', crm, data, history_len=L, layout=layout)
            windows = Windows(data, L) if layout == 'sequence' else None
            row[f'{layout}_train_prefixes_per_s'] = _train_rate(llm, data, a.batches, a.batch_size, windows)
            cache_windows = Windows(data, L, samples) if layout == 'sequence' else None
            row[f'{layout}_cache_prefixes_per_s'] = _cache_rate(llm.eval(), data, samples, cache_windows, a.batch_size)
            del llm
        row['train_ratio'] = row['sequence_train_prefixes_per_s'] / row['prompt_train_prefixes_per_s']
        row['cache_ratio'] = row['sequence_cache_prefixes_per_s'] / row['prompt_cache_prefixes_per_s']
        res['rows'].append(row)
        print(f"L={L}: training {row['prompt_train_prefixes_per_s']:.1f} -> {row['sequence_train_prefixes_per_s']:.1f} "
              f"prefixes/s ({row['train_ratio']:.1f}x); teacher cache {row['prompt_cache_prefixes_per_s']:.1f} -> "
              f"{row['sequence_cache_prefixes_per_s']:.1f} prefixes/s ({row['cache_ratio']:.1f}x)", flush=True)
    out = HERE/'results'/'llm_coverage.json'
    tmp = out.with_suffix('.json.tmp'); tmp.write_text(json.dumps(res, indent=2) + '\n'); tmp.replace(out)
    print(f'wrote {out.relative_to(HERE.parent)}')

if __name__ == '__main__': main()
