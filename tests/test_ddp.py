"""Two processes under `accelerate launch` on the CPU (gloo) compute the single-process run.

With LoRA dropout off (`--lora-dropout 0`: with dropout each process draws the masks of its own rows, so the runs are
equal only in distribution), a 2-process run takes the same optimizer steps on the same global batches as one
process; only the order of float sums differs. So:
- `fit_llm` alone (KD term with rank weights, the title head, a last batch of one sample, so that one process has no
  row): per-epoch training losses within 1e-5 relative, validation metrics equal (they come from integer ranks),
  trainable weights within 1e-4;
- `llmd4rec run` (the 6 steps of 2 rounds): the same steps, every per-step validation metric and the test metrics
  equal, the CRM warm-up bit for bit (the CRM is not distributed), teacher logits within 1e-4 with the same top-K
  items and target ranks, LLM weights within 1e-4; one set of files, no temporary file left, one printed table;
- a 2-process run killed in the middle of a commit (main process SIGKILLed by the trainer's crash hook) and resumed
  with 2 processes ends with the uninterrupted 2-process run's metrics.
Each process uses one thread; the launches take about a minute on 2 busy cores.
"""
import json, os, socket, subprocess, sys, textwrap, time
from pathlib import Path
import pytest

BIN = Path(sys.executable).parent
ARGS = ['run', '--dataset', 'synthetic', '--llm', 'tiny', '--rounds', '2', '--crm-epochs', '2', '--crm-round-epochs', '1',
        '--max-len', '10', '--history-len', '6', '--n-titles', '0', '--top-k', '10', '--recent', '1', '--llm-batch-size', '32',
        '--max-train-samples', '64', '--max-eval-samples', '32', '--seed', '3', '--no-progress', '--lora-dropout', '0']
STEPS = ['crm_warmup', 'llm_warmup', 'r1_crm', 'r1_llm', 'r2_crm', 'r2_llm']
FILES = {'vocab.json', 'crm_warmup.pt', 'crm_last.pt', 'crm_best.pt', 'llm_last', 'llm_best', 'state.json', 'metrics.json',
         'tests.json',
         'history.csv', 'curve.png',
         *(f'teacher_{s}.pt' for s in STEPS if s.startswith('r'))}
TIMEOUT = 600

def _env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(('ACCELERATE_', 'LLMD4REC_CRASH_AT'))
           and k not in ('WORLD_SIZE', 'RANK', 'LOCAL_RANK', 'MASTER_ADDR', 'MASTER_PORT')}
    return {**env, 'OMP_NUM_THREADS': '1', 'MKL_NUM_THREADS': '1', **extra}

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _launch(*args, env=None):
    "Run `args` (a script path or `-m module ...`) under `accelerate launch` with 2 CPU processes."
    exe = BIN/'accelerate'
    if not exe.exists(): pytest.skip('accelerate is not installed in this environment')
    # `--multi_gpu` is accelerate's torchrun launcher; on a machine without a GPU its processes run on the CPU over gloo
    # (`--cpu` alone would start one process unless MPI is set up)
    cmd = [str(exe), 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
           '--dynamo_backend', 'no', '--main_process_port', str(_free_port()), *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env or _env(CUDA_VISIBLE_DEVICES=''))

def _single(*args, env=None):
    return subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, env=env or _env())

def _no_seconds(o):
    if isinstance(o, dict): return {k: _no_seconds(v) for k, v in o.items() if 'seconds' not in k}
    if isinstance(o, list): return [_no_seconds(v) for v in o]
    return o

def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys(); return max(abs(a[k] - b[k]) for k in a)

def test_module_entry_point():
    r = _single('-m', 'llmd4rec.cli', '--help')
    assert r.returncode == 0 and 'train-crm' in r.stdout, r.stderr

FIT = textwrap.dedent('''
    import json, sys, torch
    torch.set_num_threads(1)
    from llmd4rec.data import synthetic
    from llmd4rec.crm import make_crm, set_seed
    from llmd4rec.dist import processes, is_main
    from llmd4rec.fit import fit, sample_indices
    from llmd4rec.llm import LLMRec, LLM_FIT
    from llmd4rec.distill import build_teacher_cache, DistillLoss
    syn = synthetic()
    set_seed(0)
    crm = make_crm('sasrec', syn.n_items, seed=0, hidden=32)
    llm = LLMRec.tiny(crm=crm, data=syn, history_len=6, n_titles=2, item_head='title', lora_dropout=0., seed=0,
                      layout='prompt')
    samples = torch.arange(0, len(syn.train), 7)
    cache = build_teacher_cache(crm, syn.train, samples, k=10, batch_size=64, progress=False)
    kd = DistillLoss(cache, len(syn.train), 1., 'rank', syn.train.targets)
    set_seed(1)
    hist = fit(llm, syn, epochs=2, lr=3e-3, batch_size=30, samples=sample_indices(samples, 121, seed=2),   # last batch: 1
               valid=syn.valid.sample(40, 2), extra_loss=kd, seed=2, progress=False, **LLM_FIT)
    if is_main(processes()):
        w = {k: p.detach().flatten().tolist() for k, p in llm.named_parameters() if p.requires_grad}
        json.dump(dict(history=[dict(loss=h['loss'], valid=h['valid']) for h in hist], weights=w,
                       cache=[cache.logits.tolist(), cache.ranks.tolist()]), open(sys.argv[1], 'w'))
''')

def test_fit_llm_two_processes(tmp_path):
    (tmp_path/'fit.py').write_text(FIT)
    t0 = time.perf_counter(); r1 = _single(tmp_path/'fit.py', tmp_path/'one.json'); t1 = time.perf_counter()
    r2 = _launch(tmp_path/'fit.py', tmp_path/'two.json'); t2 = time.perf_counter()
    assert r1.returncode == 0, r1.stderr[-3000:]
    assert r2.returncode == 0, r2.stderr[-3000:]
    one, two = (json.loads((tmp_path/f'{n}.json').read_text()) for n in ('one', 'two'))
    print(f'fit (LLM): 1 process {t1 - t0:.1f} s, 2 processes {t2 - t1:.1f} s (wall, with start-up)')
    for h1, h2 in zip(one['history'], two['history'], strict=True):
        print(f"loss {h1['loss']:.9f} vs {h2['loss']:.9f}; valid NDCG@10 {h1['valid']['NDCG@10']:.6f} vs {h2['valid']['NDCG@10']:.6f}")
        assert abs(h1['loss'] - h2['loss']) <= 1e-5 * abs(h1['loss']), (h1['loss'], h2['loss'])
        assert _max_diff(h1['valid'], h2['valid']) <= 1e-9, (h1['valid'], h2['valid'])
    assert one['cache'] == two['cache']   # the shared teacher pass (2 batches of 64 rows, one per process): bit for bit
    assert one['weights'].keys() == two['weights'].keys() and any(k.startswith('lm.') for k in one['weights'])
    dw = max(max(abs(a - b) for a, b in zip(one['weights'][k], two['weights'][k], strict=True)) for k in one['weights'])
    print(f'trainable weights: max |difference| {dw:.2e}')
    assert dw <= 1e-4, dw

def _files(out: Path) -> set: return {p.name for p in out.iterdir()}

def _compare_runs(a: Path, b: Path):
    "Assert that the runs in folders `a` (one process) and `b` (two) are the same run up to float rounding; return the largest differences."
    import torch
    from safetensors.torch import load_file
    ma, mb = (json.loads((p/'metrics.json').read_text()) for p in (a, b))
    assert [h['step'] for h in ma['history']] == [h['step'] for h in mb['history']] == STEPS
    assert _no_seconds(ma['config']) == _no_seconds(mb['config'])
    diffs = {}
    for ha, hb in zip(ma['history'], mb['history']):
        assert ha.keys() == hb.keys() and ha['epochs'] == hb['epochs'], (ha, hb)
        if ha['step'] == 'crm_warmup': assert ha['crm'] == hb['crm']   # not distributed, nothing distilled yet: bit for bit
        for kind in ('crm', 'llm'):
            if kind in ha: diffs[f"{ha['step']} {kind} valid"] = _max_diff(ha[kind], hb[kind])
    for kind in ('crm', 'llm'):
        assert ma[kind]['best_step'] == mb[kind]['best_step']
        diffs[f'{kind} test'] = _max_diff(ma[kind]['test'], mb[kind]['test'])
    assert max(diffs.values()) <= 1e-9, diffs   # metrics of integer ranks: float-level weight differences move no rank here
    for t in sorted(a.glob('teacher_*.pt')):
        ca, cb = torch.load(t), torch.load(b/t.name)
        assert torch.equal(ca['indices'], cb['indices']) and torch.equal(ca['ranks'], cb['ranks']) and torch.equal(ca['samples'], cb['samples'])
        diffs[f'{t.stem} logits'] = (ca['logits'] - cb['logits']).abs().max().item()
        assert diffs[f'{t.stem} logits'] <= 1e-4, diffs
    for d in ('llm_last', 'llm_best'):
        for f in ('heads.safetensors', 'adapter/adapter_model.safetensors'):
            ta, tb = load_file(a/d/f), load_file(b/d/f)
            diffs[f'{d}/{f}'] = max((ta[k] - tb[k]).abs().max().item() for k in ta)
            assert diffs[f'{d}/{f}'] <= 1e-4, diffs
    return diffs

def test_run_two_processes(tmp_path):
    t0 = time.perf_counter(); r1 = _single('-m', 'llmd4rec.cli', *ARGS, '--out', tmp_path/'one'); t1 = time.perf_counter()
    r2 = _launch('-m', 'llmd4rec.cli', *ARGS, '--out', tmp_path/'two'); t2 = time.perf_counter()
    assert r1.returncode == 0, r1.stderr[-3000:]
    assert r2.returncode == 0, r2.stderr[-3000:]
    print(f'llmd4rec run: 1 process {t1 - t0:.1f} s, 2 processes {t2 - t1:.1f} s (wall, with start-up)')
    assert r2.stdout.count('CRM valid') == 1 and r2.stdout.count('wrote ') == 1, r2.stdout   # one process prints
    assert _files(tmp_path/'one') == _files(tmp_path/'two') == FILES   # one set of files, no temporaries
    for kind in ('one', 'two'):
        sa, m = json.loads((tmp_path/kind/'state.json').read_text()), json.loads((tmp_path/kind/'metrics.json').read_text())
        print(kind, [(h['step'], round(h.get('llm', {}).get('NDCG@10', float('nan')), 6), round(h['crm']['NDCG@10'], 6)) for h in m['history']])
        assert sa['done'] == STEPS
    diffs = _compare_runs(tmp_path/'one', tmp_path/'two')
    print('largest differences, 1 vs 2 processes:', {k: f'{v:.2e}' for k, v in diffs.items() if v})

    # killed in the middle of a commit (the main process SIGKILLs itself there), then resumed with 2 processes
    r3 = _launch('-m', 'llmd4rec.cli', *ARGS, '--out', tmp_path/'killed', env=_env(CUDA_VISIBLE_DEVICES='', LLMD4REC_CRASH_AT='r1_llm:committed'))
    assert r3.returncode != 0
    assert json.loads((tmp_path/'killed'/'state.json').read_text())['done'] == STEPS[:3] and (tmp_path/'killed'/'.commit').is_dir()
    r4 = _launch('-m', 'llmd4rec.cli', *ARGS, '--out', tmp_path/'killed', '--resume')
    assert r4.returncode == 0, r4.stderr[-3000:]
    assert _files(tmp_path/'killed') == FILES
    ma, mb = (json.loads((tmp_path/p/'metrics.json').read_text()) for p in ('two', 'killed'))
    assert _no_seconds(ma) == _no_seconds(mb)
