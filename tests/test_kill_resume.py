"""SIGKILL `llmd4rec run` at many points, `--resume` until it finishes: the result equals the uninterrupted run's.

Kill points: the trainer's fault-injection hook (`LLMD4REC_CRASH_AT=<step>:<point>`: the process SIGKILLs itself
between two writes of a step's checkpoint commit), a kill from outside as soon as a checkpoint is being written
(the staging folder `.commit-tmp` appears), and kills after random delays: a random fraction of the time the
uninterrupted run spent on what is left to do (so the kill lands inside the run however fast the machine is), with the
plan's next hook point as a backstop (if the run gets there first, that hook's kill stands in for the delay's). After every launch the folder is checked:
whatever a resume could load (the files under their real names, and a finished commit folder) is complete and
consistent with `state.json`, and the steps recorded so far equal the uninterrupted run's, metric for metric.
Set KILL_RESUME_SEED to vary the random delays (default 0).
"""
import json, os, random, signal, subprocess, time
from pathlib import Path
import pytest

ARGS = ['run', '--dataset', 'synthetic', '--llm', 'tiny', '--rounds', '2', '--crm-epochs', '2', '--crm-round-epochs', '1',
        '--max-len', '10', '--history-len', '6', '--n-titles', '0', '--top-k', '10', '--recent', '1', '--llm-batch-size', '32',
        '--max-train-samples', '64', '--max-eval-samples', '32', '--llm-epochs', '2', '--seed', '3', '--no-progress',
        '--save-every', '0']   # a step saves after every batch too: kills land inside epochs
STEPS = ['crm_warmup', 'llm_warmup', 'r1_crm', 'r1_llm', 'r2_crm', 'r2_llm']
NAMES = {'vocab.json', 'crm_warmup.pt', 'crm_last.pt', 'crm_best.pt', 'llm_last', 'llm_best', 'state.json', 'metrics.json',
         'tests.json', 'history.csv', 'curve.png'}

def _launch(cli, out, resume, log, crash_at=None):
    env = {k: v for k, v in os.environ.items() if k != 'LLMD4REC_CRASH_AT'}
    if crash_at: env['LLMD4REC_CRASH_AT'] = crash_at
    return subprocess.Popen([cli, *ARGS, '--out', str(out), *(['--resume'] if resume else [])],
                            stdout=subprocess.DEVNULL, stderr=open(log, 'w'), env=env)

def _no_seconds(history): return [{k: v for k, v in h.items() if k != 'seconds'} for h in history]

def _metrics(out):
    m = json.loads((out/'metrics.json').read_text())
    return {**m, 'history': _no_seconds(m['history'])}

def _check_llm_folder(p, step=None):
    "A complete `LLMRec.save` folder (plus the trainer's record), written by `step` if given."
    from safetensors.torch import load_file
    for f in ('llmrec.json', 'trainer.json', 'heads.safetensors', 'adapter/adapter_model.safetensors', 'base/model.safetensors'):
        assert (p/f).is_file(), f'{p}: {f} missing'
    json.loads((p/'llmrec.json').read_text()); load_file(p/'heads.safetensors'); load_file(p/'adapter/adapter_model.safetensors')
    meta = json.loads((p/'trainer.json').read_text())
    if step: assert meta['step'] == step, (p, meta['step'], step)

def _check_crm(p, step=None):
    from llmd4rec.crm import load_crm
    m = load_crm(p)   # raises on a truncated file
    if step: assert m.meta['step'] == step, (p, m.meta['step'], step)

def _check_folder(out, ref_history):
    "What a resume can read is complete and consistent; the finished steps equal the uninterrupted run's. Returns `done`."
    from llmd4rec.distill import TeacherCache
    from llmd4rec.files import load_weights
    names = {p.name for p in out.iterdir()}
    hidden = {n for n in names if n.startswith('.')}
    assert names - hidden <= NAMES | {f'{k}_{s}.pt' for s in STEPS for k in ('teacher', 'fit')}, names
    assert all(n in ('.commit', '.commit-tmp') or n.endswith(('.tmp', '.old')) or n.startswith(('.llm_last.', '.llm_best.'))
               for n in hidden), hidden
    for n in names - hidden:
        if n.startswith('teacher_'): TeacherCache.load(out/n)
        if n.startswith('fit_'): load_weights(out/n, 'training checkpoint')   # a step's state after an epoch
    com = out/'.commit'
    if com.exists():   # a committed step: complete files, moved into place by the next resume
        state = json.loads(((com/'state.json') if (com/'state.json').exists() else (out/'state.json')).read_text())
        for p in com.iterdir():
            if p.name.startswith('crm'): _check_crm(p, state['done'][-1])
            elif p.name.startswith('llm'): _check_llm_folder(p, state['done'][-1])
    else:
        if not (out/'state.json').exists():
            assert not names & {'crm_warmup.pt', 'crm_last.pt', 'crm_best.pt', 'llm_last', 'llm_best'}, names
            return []
        state = json.loads((out/'state.json').read_text())
        done = state['done']
        last = lambda kind: next(s for s in reversed(done) if kind in s)
        _check_crm(out/'crm_last.pt', last('crm')); _check_crm(out/'crm_best.pt', state['best']['crm']['step'])
        _check_crm(out/'crm_warmup.pt', 'crm_warmup')
        if 'llm_warmup' in done:
            _check_llm_folder(out/'llm_last', last('llm')); _check_llm_folder(out/'llm_best', state['best']['llm']['step'])
    assert state['done'] == STEPS[:len(state['done'])]
    assert _no_seconds(state['history']) == ref_history[:len(state['done'])], 'a resumed step differs from the uninterrupted run'
    return state['done']

def _kill_when(proc, cond, timeout=240):
    "SIGKILL `proc` as soon as `cond()` holds; return whether it was killed (False: it ended first)."
    t0 = time.monotonic()
    while proc.poll() is None:
        if cond():
            proc.send_signal(signal.SIGKILL); proc.wait(); return True
        if time.monotonic() - t0 > timeout: proc.kill(); proc.wait(); raise TimeoutError('run took too long')
        time.sleep(0.002)
    return False

def test_kill_and_resume_gives_the_uninterrupted_result(cli, tmp_path):
    t_start = time.monotonic()
    ref = tmp_path/'ref'
    r = subprocess.run([cli, *ARGS, '--out', str(ref)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    ref_metrics = _metrics(ref)
    assert [h['step'] for h in ref_metrics['history']] == STEPS
    t_ref = time.monotonic() - t_start

    rng = random.Random(int(os.environ.get('KILL_RESUME_SEED', 0)))
    plan = [('write', 'fit_crm_warmup.pt'),              # inside the first step: after its first of two epochs
            ('hook', 'crm_warmup:staged:crm_last.pt'),   # the first step's files half staged, no state.json yet
            ('delay', rng.uniform(0.1, 0.5)),             # fractions of the remaining work
            ('hook', 'llm_warmup:committed'),             # committed, nothing moved into place yet
            ('hook', 'r1_crm:moved:crm_last.pt'),         # the new crm_last.pt in place, the old state.json
            ('write', '.commit-tmp'),                     # from outside, while a step's checkpoints are being written
            ('write', 'fit_r1_llm.pt'),                   # inside a step: after its first of two epochs
            ('hook', 'r2_crm:staged'),                    # every file staged, the commit not made: the step is redone
            ('delay', rng.uniform(0.1, 0.5)),
            ('hook', 'r2_llm:set-aside:llm_last'),        # the old llm_last set aside, the new one not yet in place
            ('none', None)]
    step_s = [h['seconds'] for h in json.loads((ref/'metrics.json').read_text())['history']]
    startup = max(t_ref - sum(step_s), 0.0)   # process start, data, models: paid again by every launch
    out, log, finished, done, skip = tmp_path/'killed', [], False, [], False
    for i, (how, arg) in enumerate(plan):
        if finished: break
        if skip: skip = False; continue
        err = tmp_path/f'stderr_{i}.txt'
        t0 = time.monotonic()
        if how == 'delay':
            backstop = next((a for h, a in plan[i + 1:] if h == 'hook'), None)
            wait = arg*(startup + sum(step_s[len(done):]))
            p = _launch(cli, out, resume=i > 0, log=err, crash_at=backstop)
            was_killed = _kill_when(p, lambda: time.monotonic() - t0 > wait)
            if not was_killed and p.returncode == -signal.SIGKILL:   # the backstop fired first: it was the next entry
                was_killed, skip, arg = True, True, backstop
            else: arg = f'{wait:.2f}s'
        else:
            p = _launch(cli, out, resume=i > 0, log=err, crash_at=arg if how == 'hook' else None)
            if how == 'write': was_killed = _kill_when(p, lambda: (out/arg).exists())
            else: p.wait(timeout=240); was_killed = p.returncode == -signal.SIGKILL
        assert was_killed or p.returncode == 0, err.read_text()
        before = sorted(n for n in os.listdir(out) if n.startswith('.')) if out.exists() else []
        staged = sorted(str(q.relative_to(out/'.commit-tmp')) for q in (out/'.commit-tmp').rglob('*')) if (out/'.commit-tmp').exists() else None
        done = _check_folder(out, ref_metrics['history']) if out.exists() else []
        finished = not was_killed
        log.append(dict(how=how, at=arg, killed=was_killed, seconds=round(time.monotonic() - t0, 1),
                        left=before, done=len(done), **({'staging': staged} if arg == '.commit-tmp' else {})))
    assert finished, 'the last launch did not finish'
    assert not [n for n in os.listdir(out) if n.startswith('.')], 'temporary files were left behind'
    assert _metrics(out) == ref_metrics   # exactly, apart from the timings
    n_killed = sum(x['killed'] for x in log)
    print(f'\nreference run {t_ref:.1f}s; {n_killed} kills; {len(log) - 1} resumes, each matching the uninterrupted run on every step '
          f'it committed, the last one on metrics.json; total {time.monotonic() - t_start:.1f}s')
    for x in log: print(x)
    assert n_killed >= 5, log
