"""End-to-end runs of the `llmd4rec` command, as a user types it."""
import json, subprocess, sys
import pandas as pd
import pytest
from llmd4rec.data import synthetic

def run(cli, *args, **kw):
    return subprocess.run([cli, *map(str, args)], capture_output=True, text=True, timeout=600, **kw)

@pytest.fixture(scope='module')
def generic_folder(tmp_path_factory):
    "A dataset in the generic format, written from the synthetic data."
    d = tmp_path_factory.mktemp('generic')
    ds = synthetic(n_users=120, n_items=40, seed=1)
    rows = [(f'u{u}', f'i{i}', t) for u, s in enumerate(ds.seqs) for t, i in enumerate(s)]
    pd.DataFrame(rows, columns=['user', 'item', 'timestamp']).to_csv(d/'interactions.csv', index=False)
    pd.DataFrame({'item': [f'i{i}' for i in range(1, 41)], 'title': [f'Item {i}' for i in range(1, 41)]}).to_csv(d/'items.csv', index=False)
    return d

def test_help(cli):
    r = run(cli, '--help')
    assert r.returncode == 0 and 'train-crm' in r.stdout

@pytest.mark.parametrize('model', ['sasrec', 'gru4rec'])
def test_train_crm_generic_folder(cli, generic_folder, tmp_path, model):
    r = run(cli, 'train-crm', '--dataset', generic_folder, '--model', model, '--out', tmp_path, '--epochs', 3, '--no-progress')
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'metrics.json').read_text())
    assert set(m['test']) == {f'{a}@{k}' for a in ('HR', 'NDCG') for k in (5, 10, 20)}
    assert m['config']['model'] == model and m['data']['items'] == 40
    assert all(0 <= v <= 1 for v in m['test'].values())
    assert (tmp_path/'model.pt').stat().st_size > 0 and (tmp_path/'curve.png').stat().st_size > 0
    assert 'NDCG@10' in r.stdout   # the table is printed

def test_same_seed_same_metrics(cli, generic_folder, tmp_path):
    outs = []
    for k in range(2):
        r = run(cli, 'train-crm', '--dataset', generic_folder, '--model', 'sasrec', '--out', tmp_path/str(k), '--epochs', 2, '--seed', 7, '--no-progress')
        assert r.returncode == 0, r.stderr
        outs.append(json.loads((tmp_path/str(k)/'metrics.json').read_text())['test'])
    assert outs[0] == outs[1]

@pytest.mark.parametrize('args,msg', [
    (['--dataset', '/no/such/folder'], '/no/such/folder: no such dataset folder'),
    (['--dataset', 'synthetic', '--epochs', '0'], 'epochs must be > 0, got 0'),
])
def test_user_errors_exit_2(cli, tmp_path, args, msg):
    r = run(cli, 'train-crm', '--out', tmp_path, *args)
    assert r.returncode == 2
    assert r.stderr.strip() == f'llmd4rec: error: {msg}'

def test_bad_rows_are_named(cli, tmp_path):
    d = tmp_path/'bad'; d.mkdir()
    (d/'interactions.csv').write_text('user,item,timestamp\n1,2,3\n1,3,yesterday\n')
    r = run(cli, 'train-crm', '--dataset', d, '--out', tmp_path/'o')
    assert r.returncode == 2 and "interactions.csv: line 3: timestamp 'yesterday' is not a number" in r.stderr

@pytest.mark.parametrize('item_repr', ['id', 'id+text'])
def test_train_llm_tiny(cli, generic_folder, tmp_path, item_repr):
    crm = tmp_path/'crm'
    assert run(cli, 'train-crm', '--dataset', generic_folder, '--out', crm, '--epochs', 2, '--no-progress').returncode == 0
    r = run(cli, 'train-llm', '--dataset', generic_folder, '--llm', 'tiny', '--crm', crm/'model.pt', '--out', tmp_path/'llm',
            '--max-train-samples', 64, '--max-eval-samples', 32, '--history-len', 6, '--n-titles', 0, '--batch-size', 16,
            '--item-repr', item_repr, '--no-progress')
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'llm'/'metrics.json').read_text())
    assert {'valid', 'test', 'config', 'history', 'crm'} <= set(m) and m['config']['llm'] == 'tiny'
    assert m['data']['eval_users'] == 32 and m['config']['item_repr'] == item_repr
    assert json.loads((tmp_path/'llm'/'model'/'llmrec.json').read_text())['config']['item_repr'] == item_repr

def test_run_tiny_and_resume_guard(cli, generic_folder, tmp_path):
    args = ['run', '--dataset', generic_folder, '--llm', 'tiny', '--out', tmp_path, '--rounds', 1, '--crm-epochs', 2,
            '--crm-round-epochs', 1, '--history-len', 6, '--n-titles', 0, '--top-k', 10, '--recent', 1,
            '--llm-batch-size', 32, '--max-train-samples', 64, '--max-eval-samples', 32, '--no-progress']
    r = run(cli, *args)
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path/'metrics.json').read_text())
    assert [h['step'] for h in m['history']] == ['crm_warmup', 'llm_warmup', 'r1_crm', 'r1_llm']
    assert set(m['crm']['test']) == set(m['llm']['test']) and (tmp_path/'curve.png').exists()
    r = run(cli, *args)   # same folder without --resume: refused, nothing overwritten
    assert r.returncode == 2 and 'already holds a run' in r.stderr
    r = run(cli, *args, '--resume')   # everything done: resume only re-reports
    assert r.returncode == 0 and json.loads((tmp_path/'metrics.json').read_text())['crm']['test'] == m['crm']['test']

def test_numerical_fault_exits_1_with_one_line(cli, tmp_path):
    "A loss that turns NaN (here: an absurd learning rate) stops training with one line naming step and term, status 1."
    r = run(cli, 'run', '--dataset', 'synthetic', '--llm', 'tiny', '--mode', 'crm_only', '--crm-lr', '1e30', '--crm-epochs', '3',
            '--top-k', '20', '--out', tmp_path/'nan', '--no-progress')
    assert r.returncode == 1, r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and 'step crm_warmup' in err[0] and 'non-finite CE loss' in err[0], r.stderr
    assert 'Traceback' not in r.stderr

@pytest.mark.parametrize('args,msg', [
    (['--t-crm', '0'], 'config field T_crm=0.0: must be > 0'),
    (['--top-k', '500'], 'config field top_k=500: larger than the catalogue (50 items)'),
    (['--mode', 'both'], "argument --mode: invalid choice: 'both'"),   # argparse's own check: usage line + this
    (['--crm', 'bert4rec'], "config field crm='bert4rec': expected one of"),
    (['--rounds', '-1'], 'config field rounds=-1: must be > 0'),
    (['--llm-batch-size', '0'], 'config field llm_batch_size=0: must be > 0'),
])
def test_run_config_errors_exit_2(cli, tmp_path, args, msg):
    "A bad value is rejected before any work starts (no output folder content), naming the field, exit status 2."
    r = run(cli, 'run', '--dataset', 'synthetic', '--llm', 'tiny', '--out', tmp_path/'o', '--no-progress', *args)
    assert r.returncode == 2, r.stderr
    last = r.stderr.strip().splitlines()[-1]
    assert msg in last and 'error' in last, r.stderr
    assert 'Traceback' not in r.stderr
    assert not (tmp_path/'o').exists() or not any((tmp_path/'o').iterdir())

@pytest.fixture(scope='module')
def served_run(cli, generic_folder, tmp_path_factory):
    "A `train-crm` run folder on the generic dataset (item ids 'i1'..'i40', users 'u0'..)."
    out = tmp_path_factory.mktemp('served')/'crm'
    r = run(cli, 'train-crm', '--dataset', generic_folder, '--out', out, '--epochs', 2, '--no-progress')
    assert r.returncode == 0, r.stderr
    return out

def test_recommend_history_and_user(cli, generic_folder, served_run):
    "recommend answers in the dataset's item ids, with titles, seen items excluded; --user reads the dataset."
    from llmd4rec.serve import Recommender
    r = run(cli, 'recommend', '--run', served_run, '--history', 'i3 i7 i12', '-k', 5, '--json')
    assert r.returncode == 0 and r.stderr == '', r.stderr
    recs = json.loads(r.stdout)
    assert len(recs) == 5 and all(x['item_id'].startswith('i') and x['title'] == f"Item {x['item_id'][1:]}" for x in recs)
    assert not {'i3', 'i7', 'i12'} & {x['item_id'] for x in recs}
    rec = Recommender.load(served_run)
    assert [x['item_id'] for x in recs] == [x.item_id for x in rec.recommend(['i3', 'i7', 'i12'], k=5)]
    r = run(cli, 'recommend', '--run', served_run, '--user', 'u5', '--json')
    hist = pd.read_csv(generic_folder/'interactions.csv').query("user == 'u5'").sort_values('timestamp')['item'].tolist()
    assert rec.user_history('u5') == hist
    assert [x['item_id'] for x in json.loads(r.stdout)] == [x.item_id for x in rec.recommend(hist)]
    r = run(cli, 'recommend', '--run', served_run, '--history', 'i3 i7')   # the table
    assert r.returncode == 0 and r.stdout.splitlines()[0].split() == ['rank', 'item', 'score', 'title']
    assert len(r.stdout.splitlines()) == 11

@pytest.mark.parametrize('args,code,err', [
    (['--history', 'i3 nope i7 zz'], 2,
     "llmd4rec: error: 2 unknown item id(s), not in the vocabulary of the model's 40 items: 'nope', 'zz'"),
    (['--history', ''], 2, 'llmd4rec: error: empty history: recommendations need at least one item of the user'),
    (['--history', 'nope', '--skip-unknown'], 2, 'llmd4rec: error: empty history: every item id is unknown'),
    (['--user', 'nobody'], 2, "no user 'nobody' in the dataset"),
    (['--history', 'i3 nope', '--skip-unknown'], 0,
     "llmd4rec: warning: dropped 1 unknown item id(s), not in the vocabulary of the model's 40 items: 'nope'"),
])
def test_recommend_errors(cli, served_run, args, code, err):
    "Unknown ids and empty histories: one line on stderr naming them, status 2 (or a warning under --skip-unknown)."
    r = run(cli, 'recommend', '--run', served_run, *args)
    assert r.returncode == code, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and err in lines[0], r.stderr

def test_recommend_without_vocabulary(cli, served_run, tmp_path):
    "A run folder without vocab.json is refused with a message that says so."
    (tmp_path/'model.pt').write_bytes((served_run/'model.pt').read_bytes())
    r = run(cli, 'recommend', '--run', tmp_path, '--history', 'i3')
    assert r.returncode == 2 and 'the run folder has no item vocabulary (vocab.json)' in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1

def test_export_and_recommend_from_onnx(cli, served_run, tmp_path):
    "export writes the ONNX file and its vocabulary; the file alone serves the same recommendations."
    pytest.importorskip('onnxruntime', reason='the serve extra (onnx, onnxruntime, onnxscript) is not installed')
    r = run(cli, 'export', '--run', served_run, '--out', tmp_path/'crm.onnx')
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ['crm.onnx', 'crm.vocab.json']
    a, b = (run(cli, 'recommend', '--run', p, '--history', 'i3 i7 i12', '--json') for p in (served_run, tmp_path/'crm.onnx'))
    assert a.returncode == b.returncode == 0, b.stderr
    assert [x['item_id'] for x in json.loads(a.stdout)] == [x['item_id'] for x in json.loads(b.stdout)]
    assert max(abs(x['score'] - y['score']) for x, y in zip(json.loads(a.stdout), json.loads(b.stdout))) < 1e-4
