"""Issue 7, LLM side: building the LLM teacher cache in length-sorted batches vs a per-sample loop.

    python benchmarks/teacher_cache_llm.py [--samples 96] [--history-len 50] [--batch 32]

The built-in SmolLM2-135M recommender (50 soft tokens of history, no titles; untrained LoRA and heads: the cost of a
forward pass does not depend on the weights). The same random training samples of ML-100k, three ways, in one process:
1. a straightforward loop: one prompt at a time through the model, top-K taken per sample;
2. `build_teacher_cache` in batches, in the split's order;
3. `build_teacher_cache` in batches of prompts sorted by history length (what the trainer does): less padding.
No grad anywhere. Prints samples/s and the ratios to the loop; checks that all three give the same top-K items.
Writes benchmarks/results/teacher_cache_llm.json.
"""
import argparse, json, os, time
from pathlib import Path
import torch
from llmd4rec.data import load_dataset
from llmd4rec.crm import make_crm
from llmd4rec.llm import make_llm
from llmd4rec.distill import build_teacher_cache, top_k_with_tail

HERE = Path(__file__).resolve().parent

def main():
    p = argparse.ArgumentParser(); p.add_argument('--samples', type=int, default=96); p.add_argument('--history-len', type=int, default=50)
    p.add_argument('--batch', type=int, default=32); p.add_argument('--top-k', type=int, default=100)
    a = p.parse_args()
    d = load_dataset('ml-100k', max_len=a.history_len)
    llm = make_llm('smollm2', make_crm('sasrec', d.n_items, seed=0), d, history_len=a.history_len, n_titles=0).eval()
    samples = torch.randperm(len(d.train), generator=torch.Generator().manual_seed(0))[:a.samples]
    lengths = (d.train.seqs[samples] > 0).sum(1)
    with torch.inference_mode():
        llm(d.train.seqs[samples[:2]].long())   # warm up
        t0 = time.perf_counter(); loop_idx = []
        for s in samples:
            z = llm(d.train.seqs[s][None].long())
            loop_idx.append(top_k_with_tail(z, a.top_k, 2.)[0])
        loop_s = time.perf_counter() - t0
    t0 = time.perf_counter(); plain = build_teacher_cache(llm, d.train, samples, k=a.top_k, batch_size=a.batch, progress=False); plain_s = time.perf_counter() - t0
    order = samples[torch.argsort(lengths, stable=True)]
    t0 = time.perf_counter(); srt = build_teacher_cache(llm, d.train, order, k=a.top_k, batch_size=a.batch, progress=False); sorted_s = time.perf_counter() - t0
    loop_idx = torch.cat(loop_idx)
    back = torch.argsort(torch.argsort(lengths, stable=True))
    same = lambda x, y: (x[:, :10] == y[:, :10]).float().mean().item()   # top-10 agreement (float noise can swap near-ties deeper down)
    res = dict(samples=a.samples, history_len=a.history_len, batch=a.batch, mean_history=lengths.float().mean().item(),
               threads=torch.get_num_threads(), loop_samples_per_s=a.samples / loop_s, batched_samples_per_s=a.samples / plain_s,
               sorted_samples_per_s=a.samples / sorted_s, ratio_batched=loop_s / plain_s, ratio_sorted=loop_s / sorted_s,
               top10_agreement_batched=same(plain.indices, loop_idx), top10_agreement_sorted=same(srt.indices[back], loop_idx))
    out = HERE/'results'/'teacher_cache_llm.json'
    tmp = out.with_suffix('.json.tmp'); tmp.write_text(json.dumps(res, indent=2) + '\n'); os.replace(tmp, out)
    print(f"per-sample loop {res['loop_samples_per_s']:.1f} samples/s; batched {res['batched_samples_per_s']:.1f} ({res['ratio_batched']:.2f}x); "
          f"length-sorted batches {res['sorted_samples_per_s']:.1f} ({res['ratio_sorted']:.2f}x, target >= 3); "
          f"top-10 agreement with the loop {res['top10_agreement_batched']:.3f} / {res['top10_agreement_sorted']:.3f}")

if __name__ == '__main__': main()
