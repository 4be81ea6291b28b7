"""Issue 7: evaluation and the teacher cache on a catalogue of 200k items and 50k users run in bounded memory.

    python benchmarks/catalogue_scale.py            # both parts, each in its own process (so each peak RSS is its own)

A synthetic dataset (`llmd4rec.data.synthetic`, 50,000 users, 200,000 items) and an untrained SASRec (what is
measured is memory and time, not accuracy). Part `eval`: full-ranking evaluation of all 50k test users, history
masked, in batches of 256. Part `cache`: the top-100 teacher cache over the most recent training prefix of every user.
Each part reports its peak resident memory above the process's footprint before it started, against the size of the
dense `[users x items]` float32 score matrix that a non-streamed implementation would build (40 GB: more than this
machine has). Writes benchmarks/results/catalogue_scale.json.
"""
import json, os, resource, subprocess, sys, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
N_USERS, N_ITEMS, BATCH = 50_000, 200_000, 256

def rss_mib():   # current resident set size
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20

def peak_mib(): return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

def part(name):
    import torch
    from llmd4rec.data import synthetic
    from llmd4rec.crm import make_crm
    from llmd4rec.metrics import evaluate
    from llmd4rec.distill import build_teacher_cache
    from llmd4rec.steps import recent_samples
    t0 = time.perf_counter()
    d = synthetic(n_users=N_USERS, n_items=N_ITEMS, seq_len=(6, 20), seed=0, max_len=50)
    model = make_crm('sasrec', N_ITEMS, seed=0, max_len=50).eval()
    setup_s = time.perf_counter() - t0
    before = rss_mib()
    t0 = time.perf_counter()
    with torch.inference_mode():
        if name == 'eval':
            m = evaluate(model, d.test, batch_size=BATCH, mask_history=True)
            extra = dict(users=len(d.test), NDCG10=m['NDCG@10'])
        else:
            c = build_teacher_cache(model, d.train, recent_samples(d.train.users, 1), k=100, T=2., batch_size=BATCH, progress=False)
            extra = dict(samples=len(c), cache_bytes=c.nbytes)
    secs = time.perf_counter() - t0
    return dict(part=name, seconds=secs, setup_seconds=setup_s, rss_before_mib=before, peak_mib=peak_mib(),
                peak_above_before_mib=peak_mib() - before, batch_scores_mib=BATCH * (N_ITEMS + 1) * 4 / 2**20, **extra)

if __name__ == '__main__':
    if len(sys.argv) > 1:
        print(json.dumps(part(sys.argv[1]))); sys.exit(0)
    res = dict(users=N_USERS, items=N_ITEMS, batch=BATCH, dense_matrix_gib=N_USERS * (N_ITEMS + 1) * 4 / 2**30,
               machine_ram_gib=os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)
    for name in ('eval', 'cache'):
        r = subprocess.run([sys.executable, __file__, name], capture_output=True, text=True)
        if r.returncode: sys.exit(r.stderr[-3000:])
        res[name] = json.loads(r.stdout.strip().splitlines()[-1])
        x = res[name]
        print(f"{name}: {x['seconds']:.1f} s, peak RSS {x['peak_mib']:.0f} MiB ({x['peak_above_before_mib']:.0f} MiB above the "
              f"{x['rss_before_mib']:.0f} MiB of data + model; one batch of scores is {x['batch_scores_mib']:.0f} MiB); "
              f"a dense [users x items] matrix would be {res['dense_matrix_gib']:.1f} GiB", flush=True)
    out = HERE/'results'/'catalogue_scale.json'
    tmp = out.with_suffix('.json.tmp'); tmp.write_text(json.dumps(res, indent=2) + '\n'); os.replace(tmp, out)
