"""The cost of `kd_items='scored'`: a BCE CRM step whose LLM->CRM KL reaches only the items BCE scores in the batch.

    python benchmarks/kd_scored.py [--batches 8] [--reps 7]

SASRec on ML-100k with RecBole's config (max length 50, batch 2048), trained with BCE (one sampled negative per
sample). The teacher cache holds top-100 logits for every training sample, so every row pays for the KL term, as in
`distill_overhead.py`. Three steps alternate over the same batches, `reps` times, in one process: BCE alone, BCE +
the KL over every item (the paper's), BCE + the KL on the scored items (`fit.OnScored`), in a rotating order.
Ratios (the median and range over the rounds of each round's ratio, robust to a load that changes between rounds):
against BCE alone, and scored / every item. Writes benchmarks/results/kd_scored.json and prints the figures.
"""
import argparse, json, statistics, time
from pathlib import Path
import torch
from llmd4rec.crm import make_crm
from llmd4rec.data import load_dataset
from llmd4rec.distill import DistillLoss, build_teacher_cache
from llmd4rec.files import write_json
from llmd4rec.fit import OnScored, SampledBCE, step_loss

HERE = Path(__file__).resolve().parent

def step_time(model, opt, batches, bce, kd=None):
    "Seconds per training step of `model` over `batches`: BCE, plus `kd` when given."
    model.train(); t0 = time.perf_counter()
    for idx, seqs, targets in batches:
        loss = step_loss(model(seqs), targets, idx, kd, main_loss=bce)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return (time.perf_counter() - t0) / len(batches)

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--batches', type=int, default=8); p.add_argument('--reps', type=int, default=7)
    a = p.parse_args()
    torch.manual_seed(0)
    d = load_dataset('ml-100k', max_len=50)
    teacher = make_crm('sasrec', d.n_items, seed=1)   # any frozen model: only the cost is measured here
    cache = build_teacher_cache(teacher, d.train, None, k=100, T=2., batch_size=2048, progress=False)
    bce = SampledBCE(seed=0)
    kd = DistillLoss(cache, len(d.train), 0.1, 'rank', d.train.targets)
    arms = {'bce': None, 'kd_all': kd, 'kd_scored': OnScored(kd, bce)}
    batches = list(d.train.batches(2048, shuffle=True, generator=torch.Generator().manual_seed(0)))[:a.batches]
    student = make_crm('sasrec', d.n_items, seed=2)
    opt = torch.optim.Adam(student.parameters(), 1e-3)
    for extra in arms.values(): step_time(student, opt, batches[:2], bce, extra)   # warm up
    times, names = {k: [] for k in arms}, list(arms)
    for r in range(a.reps):
        for k in names[r % 3:] + names[:r % 3]:   # each arm goes first, second and third in turn
            times[k].append(step_time(student, opt, batches, bce, arms[k]))
        print(f'rep {r}: ' + ', '.join(f'{k} {v[-1]:.3f} s/step' for k, v in times.items()), flush=True)
    paired = lambda x, y: [t / u for t, u in zip(times[x], times[y])]   # the ratio of each round
    res = dict(threads=torch.get_num_threads(), n_items=d.n_items, batches=a.batches, reps=a.reps, seconds=times)
    for x, y in (('kd_all', 'bce'), ('kd_scored', 'bce'), ('kd_scored', 'kd_all')):
        rs = paired(x, y)
        res[f'{x}_vs_{y}'], res[f'{x}_vs_{y}_range'] = statistics.median(rs), [min(rs), max(rs)]
    write_json(res, HERE/'results'/'kd_scored.json')
    print(json.dumps({k: v for k, v in res.items() if k.startswith('kd_')}))

if __name__ == '__main__': main()
