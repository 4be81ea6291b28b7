"""RecBole 1.2.1 turns on autograd's anomaly detection for the whole process; what that costs, and that it changes nothing.

    $RECBOLE_PYTHON benchmarks/recbole_anomaly.py [--repeats 7] [--threads 1]     # make bench-anomaly (RecBole's venv: make recbole-venv)

Importing RecBole's sequential models (which `recbole.utils.get_model` does) runs
`recbole/model/sequential_recommender/sine.py`, whose module level calls `torch.autograd.set_detect_anomaly(True)`.
That debugging mode checks every backward output for NaN and records a traceback per autograd node. SASRec and GRU4Rec
do not ask for it; `recbole_side.py` switches it off after building the model. This script shows, for both models with
the benchmark's config (max length 50, CE, batch 2048), in ONE process:

1. identity: from the same seeded weights and the same 4 training batches, anomaly mode on and off give bit-identical
   losses and weights;
2. cost: the median time of one training step (forward, backward, Adam) with the mode on and off, and of llmd4rec's
   own model (same config and parameter count, a batch of 2048 of our training samples, `crm.ce_loss`, Adam, the
   mode off as in `crm.fit`), interleaved (the order rotates every repeat), so that load from other jobs falls on all
   three alike. Only the ratios are meaningful.

Writes `results/recbole_anomaly.json`.
"""
from __future__ import annotations

import argparse, copy, json, os, statistics, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "cache", "recbole"))
ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "recbole_anomaly.json"))
args = ap.parse_args()
for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = str(args.threads)

import numpy as np  # noqa: E402

# RecBole 1.2.1 still uses names removed in NumPy 2 / 1.24; alias them for this process only (as recbole_side.py).
for _name, _val in {"float_": np.float64, "complex_": np.complex128, "unicode_": np.str_,
                    "float": float, "int": int, "bool": bool, "object": object}.items():
    if not hasattr(np, _name): setattr(np, _name, _val)

import torch  # noqa: E402

torch.set_num_threads(args.threads)
import recbole  # noqa: E402
from recbole.config import Config  # noqa: E402
from recbole.data import create_dataset, data_preparation  # noqa: E402
from recbole.utils import get_model, init_seed  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from ml100k_atomic import DATASET, build_atomic  # noqa: E402
from llmd4rec.data import load_dataset  # noqa: E402
from llmd4rec.crm import make_crm  # noqa: E402
from llmd4rec.fit import ce_loss  # noqa: E402


def build(model_name: str, data_dir: str):
    "RecBole's config (as recbole_side.py), its training loader and its seeded model; the anomaly mode as RecBole left it."
    if not os.path.exists(os.path.join(data_dir, DATASET, DATASET + ".inter")): build_atomic(data_dir)
    work = tempfile.mkdtemp(prefix=f"anomaly_{model_name}_"); cwd = os.getcwd(); os.chdir(work)
    try:
        config = Config(model=model_name, dataset=DATASET, config_dict={
            "data_path": data_dir, "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
            "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": "timestamp",
            "user_inter_num_interval": "[0,inf)", "item_inter_num_interval": "[0,inf)",
            "val_interval": None, "rm_dup_inter": None, "loss_type": "CE", "train_neg_sample_args": None,
            "MAX_ITEM_LIST_LENGTH": 50,
            "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full", "group_by": "user"},
            "metrics": ["Hit", "NDCG"], "topk": [10], "valid_metric": "NDCG@10", "seed": 2026,
            "reproducibility": True, "use_gpu": False, "gpu_id": "", "show_progress": False,
            "checkpoint_dir": os.path.join(work, "saved"), "worker": 0})
        init_seed(config["seed"], config["reproducibility"])
        dataset = create_dataset(config)
        train_data, _, _ = data_preparation(config, dataset)
        init_seed(config["seed"], config["reproducibility"])
        model = get_model(model_name)(config, train_data._dataset)
    finally:
        os.chdir(cwd)
    torch.set_num_threads(args.threads)
    return config, train_data, model


def step(model, opt, inter) -> float:
    opt.zero_grad(); loss = model.calculate_loss(inter); loss.backward(); opt.step()
    return loss.item()


def run(model0, batches, anomaly: bool):
    "4 training steps from model0's weights with the mode set; losses and final weights."
    torch.autograd.set_detect_anomaly(anomaly)
    model = copy.deepcopy(model0).train(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    torch.manual_seed(0)  # the same dropout masks in both runs
    losses = [step(model, opt, b) for b in batches]
    return losses, [p.detach().clone() for p in model.parameters()]


def main():
    out = {"recbole_version": recbole.__version__, "torch_version": torch.__version__, "threads": args.threads,
           "repeats": args.repeats, "models": {}}
    ds = load_dataset("ml-100k")
    for name in ("SASRec", "GRU4Rec"):
        config, train_data, model0 = build(name, os.path.abspath(args.data_dir))
        if name == "SASRec": out["anomaly_mode_after_recbole_import"] = torch.is_anomaly_enabled()  # first get_model
        it = iter(train_data); batches = [next(it) for _ in range(4)]
        (l_on, w_on), (l_off, w_off) = run(model0, batches, True), run(model0, batches, False)
        identical = l_on == l_off and all(torch.equal(a, b) for a, b in zip(w_on, w_off))
        model = copy.deepcopy(model0).train(); opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        ours = make_crm(name.lower(), ds.n_items, seed=2026).train(); ours_opt = torch.optim.Adam(ours.parameters(), lr=1e-3)
        assert sum(p.numel() for p in ours.parameters()) == sum(p.numel() for p in model.parameters()), name
        ours_batches = [b for _, b in zip(range(4), ds.train.batches(len(batches[0]), shuffle=True, generator=torch.Generator().manual_seed(0)))]
        def ours_step(i):
            _, seqs, targets = ours_batches[i]
            ours_opt.zero_grad(set_to_none=True); ce_loss(ours(seqs), targets).backward(); ours_opt.step()
        def timed(kind, i):
            torch.autograd.set_detect_anomaly(kind == 'recbole_on')
            t0 = time.perf_counter()
            ours_step(i) if kind == 'ours' else step(model, opt, batches[i])
            return time.perf_counter() - t0
        kinds = ['recbole_on', 'recbole_off', 'ours']
        for k in kinds: timed(k, 0)   # warm-up, not timed
        times = {k: [] for k in kinds}
        for r in range(args.repeats):
            for k in kinds[r % 3:] + kinds[:r % 3]: times[k].append(timed(k, r % 4))
        torch.autograd.set_detect_anomaly(False)
        on, off, our = (statistics.median(times[k]) for k in kinds)
        out["models"][name] = {"batch_size": len(batches[0]),
                               "bit_identical_4_steps": identical, "losses_on": l_on, "losses_off": l_off,
                               "step_seconds": times,
                               "median_step_seconds_on": on, "median_step_seconds_off": off, "ratio_off_to_on": off / on,
                               "median_step_seconds_llmd4rec": our, "ratio_llmd4rec_to_recbole_off": our / off,
                               "ratio_llmd4rec_to_recbole_on": our / on}
        print(f"{name}: anomaly mode after RecBole's import: {out['anomaly_mode_after_recbole_import']}; 4 steps bit-identical on/off: {identical}; "
              f"median train step {on:.3f} s on vs {off:.3f} s off -> off/on = {off / on:.2f}x; llmd4rec {our:.3f} s = "
              f"{our / off:.2f}x RecBole (mode off), {our / on:.2f}x (mode on)", flush=True)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(args.out), suffix=".json")
    with os.fdopen(fd, "w") as f: json.dump(out, f, indent=2); f.write("\n")
    os.replace(tmp, args.out)


if __name__ == "__main__":
    main()
