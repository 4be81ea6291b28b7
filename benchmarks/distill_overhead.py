"""Issue 7: the cost of distillation on the CRM side, and the serving cost of the distilled CRM.

    python benchmarks/distill_overhead.py [--batches 12] [--reps 3] [--llm-users 20]

1. CRM training step with and without the LLM→CRM KL term (SASRec, ML-100k, RecBole's config: max length 50,
   batch 2048). The teacher cache holds top-100 logits for EVERY training sample (the worst case; the trainer's
   default caches only the 5 most recent prefixes per user), so every row of every batch pays for the KL term.
   Plain and KD steps alternate over the same batches, `reps` times, in one process: ratio = KD / plain.
2. Teacher cache memory: bytes per sample and in total, against O(samples x K).
3. Serving: a distilled and a plain SASRec (same class, same config) have the same parameter count; full-ranking
   latency over the 943 test users, alternating, `reps` times: ratio = distilled / plain. For comparison, the LLM
   recommender's (SmolLM2-135M) latency per user, one user at a time and batched.
Writes benchmarks/results/distill_overhead.json and prints the figures.
"""
import argparse, json, os, statistics, sys, time
from pathlib import Path
import torch
from llmd4rec.data import load_dataset
from llmd4rec.crm import make_crm
from llmd4rec.fit import ce_loss
from llmd4rec.distill import build_teacher_cache, DistillLoss
from llmd4rec.metrics import evaluate

HERE = Path(__file__).resolve().parent

def step_time(model, opt, batches, kd=None):
    model.train(); t0 = time.perf_counter()
    for idx, seqs, targets in batches:
        logits = model(seqs)
        loss = ce_loss(logits, targets)
        if kd is not None: loss = loss + kd(logits, idx)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return (time.perf_counter() - t0) / len(batches)

def main():
    p = argparse.ArgumentParser(); p.add_argument('--batches', type=int, default=12); p.add_argument('--reps', type=int, default=3)
    p.add_argument('--llm-users', type=int, default=20); p.add_argument('--top-k', type=int, default=100)
    a = p.parse_args()
    torch.manual_seed(0)
    d = load_dataset('ml-100k', max_len=50)
    res = dict(threads=torch.get_num_threads(), train_samples=len(d.train), n_items=d.n_items, top_k=a.top_k)
    teacher = make_crm('sasrec', d.n_items, seed=1)     # any frozen model: only the cost is measured here
    t0 = time.perf_counter()
    cache = build_teacher_cache(teacher, d.train, None, k=a.top_k, T=2., batch_size=2048, progress=False)
    res['teacher_cache'] = dict(samples=len(cache), bytes=cache.nbytes, bytes_per_sample=cache.nbytes / len(cache),
                                bytes_per_sample_expected=a.top_k * 8 + 12, build_seconds=time.perf_counter() - t0)
    kd = DistillLoss(cache, len(d.train), 1., 'rank', d.train.targets)
    batches = list(d.train.batches(2048, shuffle=True, generator=torch.Generator().manual_seed(0)))[:a.batches]
    student = make_crm('sasrec', d.n_items, seed=2)
    opt = torch.optim.Adam(student.parameters(), 1e-3)
    step_time(student, opt, batches[:2]); step_time(student, opt, batches[:2], kd)   # warm up
    plain, withkd = [], []
    for r in range(a.reps):
        plain.append(step_time(student, opt, batches)); withkd.append(step_time(student, opt, batches, kd))
        print(f'rep {r}: plain {plain[-1]:.3f} s/step, with KD {withkd[-1]:.3f} s/step', flush=True)
    res['train_step'] = dict(plain_s=plain, kd_s=withkd, ratio=statistics.median(withkd) / statistics.median(plain))

    # serving: a "distilled" CRM is the same class and config; train it a few KD steps so its weights differ
    distilled, base = student, make_crm('sasrec', d.n_items, seed=2)
    n_par = lambda m: sum(p.numel() for p in m.parameters())
    lat_d, lat_b = [], []
    for r in range(a.reps):
        for m, out in ((base, lat_b), (distilled, lat_d)):
            t0 = time.perf_counter(); evaluate(m, d.test, batch_size=1024); out.append(time.perf_counter() - t0)
    res['serving'] = dict(params_plain=n_par(base), params_distilled=n_par(distilled), params_ratio=n_par(distilled) / n_par(base),
                          full_ranking_s_plain=lat_b, full_ranking_s_distilled=lat_d,
                          latency_ratio=statistics.median(lat_d) / statistics.median(lat_b),
                          crm_ms_per_user=1000 * statistics.median(lat_d) / len(d.test))
    if a.llm_users:
        from llmd4rec.llm import make_llm
        llm = make_llm('smollm2', base, d, history_len=50, n_titles=0).eval()
        seqs = d.test.seqs[:a.llm_users].long()
        with torch.inference_mode():
            llm(seqs[:2])
            t0 = time.perf_counter()
            for s in seqs: llm(s[None])
            one = (time.perf_counter() - t0) / len(seqs)
            t0 = time.perf_counter(); llm(seqs); batched = (time.perf_counter() - t0) / len(seqs)
        res['serving'] |= dict(llm_ms_per_user_single=1000 * one, llm_ms_per_user_batched=1000 * batched,
                               llm_params=sum(p.numel() for p in llm.parameters()))
    out = HERE/'results'/'distill_overhead.json'
    tmp = out.with_suffix('.json.tmp'); tmp.write_text(json.dumps(res, indent=2) + '\n'); os.replace(tmp, out)
    tc, tr, sv = res['teacher_cache'], res['train_step'], res['serving']
    print(f"teacher cache: {tc['samples']:,} samples x K={a.top_k}: {tc['bytes'] / 2**20:.1f} MiB, {tc['bytes_per_sample']:.0f} B/sample "
          f"(K x 8 + 12 = {tc['bytes_per_sample_expected']})")
    print(f"CRM train step with KD / plain: {tr['ratio']:.3f}  (target <= 1.25)")
    print(f"distilled / plain CRM: parameters {sv['params_ratio']:.2f}, full-ranking latency {sv['latency_ratio']:.3f}; "
          f"CRM {sv['crm_ms_per_user']:.3f} ms/user" + (f"; LLM {sv['llm_ms_per_user_single']:.1f} ms/user one at a time, "
          f"{sv['llm_ms_per_user_batched']:.1f} batched" if 'llm_ms_per_user_single' in sv else ''))

if __name__ == '__main__': main()
