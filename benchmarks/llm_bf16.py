"""bfloat16 autocast for the LLM on a CPU: float32 against `bf16=True`, side by side in one process.

    python benchmarks/llm_bf16.py [--history-len 25] [--batch-size 16] [--batches 3] [--reps 5]

The built-in SmolLM2-135M recommender on ML-100k in the `sequence` layout (FULL_SCALE's history length and batch
size; untrained LoRA and heads: a pass costs the same whatever the weights). Each round times both precisions, each
going first in turn:
- training: AdamW steps (forward, backward, step) over the same `--batches` batches of windows, with and without
  bfloat16 autocast (`fit`'s step; the item head stays float32 either way), in training prefixes per second;
- teacher cache: `build_teacher_cache` over the windows of the first users (about `--cache-prefixes`), prefixes/s.
Ratios bf16 / float32: the median and range over the rounds of each round's ratio. Only the cost is measured;
whether a bf16 run learns as well is a question for a training run. bf16 is faster only on CPUs with AMX or
AVX512-BF16 (`lscpu`), and on GPUs. Writes benchmarks/results/llm_bf16.json and prints the figures.
"""
import argparse, json, logging, statistics, time, warnings
from pathlib import Path
import torch

HERE = Path(__file__).resolve().parent

def train_rate(llm, opt, params, batches, bf16):
    "Training prefixes learned per second over `batches`, under bfloat16 autocast when `bf16`."
    from llmd4rec.fit import _local_step
    llm.train(); n, t0 = 0, time.perf_counter()
    for idx, seqs, targets in batches:
        _local_step(llm, opt, params, seqs, targets, idx, None, 1.0, bf16, None, '')
        n += int((targets > 0).sum())
    return n / (time.perf_counter() - t0)

def cache_rate(llm, data, windows, bf16, batch_size):
    "Teacher-cache prefixes per second."
    from llmd4rec.dist import autocast
    from llmd4rec.distill import build_teacher_cache
    llm.eval(); t0 = time.perf_counter()
    with autocast(None, bf16):
        cache = build_teacher_cache(llm, data.train, windows, k=100, batch_size=batch_size, progress=False)
    return len(cache) / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--history-len', type=int, default=25); p.add_argument('--batch-size', type=int, default=16)
    p.add_argument('--batches', type=int, default=3, help='timed training steps per arm and round')
    p.add_argument('--reps', type=int, default=5, help='rounds')
    p.add_argument('--cache-prefixes', type=int, default=300,
                   help='cache all prefixes of the first users, about this many')
    a = p.parse_args()
    warnings.filterwarnings('ignore'); logging.getLogger('transformers').setLevel(logging.ERROR)
    from llmd4rec.crm import make_crm
    from llmd4rec.data import load_dataset
    from llmd4rec.files import write_json
    from llmd4rec.lm import Windows
    from llmd4rec.llm import make_llm
    L = a.history_len
    data = load_dataset('ml-100k', max_len=2 * L)
    torch.manual_seed(0)
    llm = make_llm('smollm2', make_crm('sasrec', data.n_items, seed=0, max_len=2 * L), data, history_len=L,
                   layout='sequence')
    params = [p for p in llm.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=1e-4)
    windows = Windows(data, L)
    batches = list(windows.batches(a.batch_size, shuffle=True, generator=torch.Generator().manual_seed(0)))[:a.batches]
    n_users = int((torch.cumsum(torch.bincount(data.train.users.long()), 0) < a.cache_prefixes).sum()) + 1
    cache_windows = Windows(data, L, torch.nonzero(data.train.users < n_users)[:, 0])
    train_rate(llm, opt, params, batches[:1], False); train_rate(llm, opt, params, batches[:1], True)   # warm up
    rates = {f'{w}_{k}': [] for w in ('train', 'cache') for k in ('float32', 'bf16')}
    for r in range(a.reps):
        for bf16 in ((False, True) if r % 2 == 0 else (True, False)):   # each precision goes first in turn
            k = 'bf16' if bf16 else 'float32'
            rates[f'train_{k}'].append(train_rate(llm, opt, params, batches, bf16))
            rates[f'cache_{k}'].append(cache_rate(llm, data, cache_windows, bf16, a.batch_size))
        print(f'round {r}: ' + ', '.join(f'{k} {v[-1]:.1f}' for k, v in rates.items()) + ' prefixes/s', flush=True)
    res = dict(threads=torch.get_num_threads(), history_len=L, batch_size=a.batch_size, batches=a.batches,
               reps=a.reps, prefixes_per_s=rates)
    for w in ('train', 'cache'):
        rs = [b / f for b, f in zip(rates[f'{w}_bf16'], rates[f'{w}_float32'])]   # the ratio of each round
        res[f'{w}_bf16_vs_float32'], res[f'{w}_bf16_vs_float32_range'] = statistics.median(rs), [min(rs), max(rs)]
    write_json(res, HERE/'results'/'llm_bf16.json')
    print(json.dumps({k: v for k, v in res.items() if k != 'prefixes_per_s'}))

if __name__ == '__main__': main()
