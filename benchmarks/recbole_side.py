"""RecBole 1.2.1 side of the SASRec / GRU4Rec benchmark on the shared ML-100k split.

Run with the RecBole interpreter (``make recbole-venv`` builds one in .venvs/recbole), e.g.::

    $RECBOLE_PYTHON benchmarks/recbole_side.py --model SASRec \
        --data-dir data/cache/recbole --epochs 200 --seed 2026 --threads 1 \
        --out benchmarks/results/recbole_sasrec.json

``--device cuda`` (or ``cuda:N``) trains and evaluates on a GPU; the default is the CPU.
``--time-budget S`` stops training after the first epoch that ends S seconds (training plus
validation) after the first one started; the test metrics are then those of the best epoch so far.
``--data-dir`` must contain ``ml-100k-llmd4rec/ml-100k-llmd4rec.inter`` (see ml100k_atomic.py;
it is built there if missing). The output JSON is rewritten atomically after every epoch.
``--checkpoint PATH`` also writes, after every epoch and atomically, what it takes to continue: the weights, Adam's
state, the best weights so far, the early-stopping counters, the training loader's shuffling generator and torch's RNG
(dropout). If PATH exists when the run starts, the run continues from it (same model, seed and epoch cap required), so
a converged run on a slow CPU can be spread over several working days; ``--stop-after N`` ends this invocation after
N epochs (status stays "running"). A run killed mid-epoch loses only that epoch.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import platform
import sys
import tempfile
import time

ap = argparse.ArgumentParser()
ap.add_argument("--model", required=True, choices=["SASRec", "GRU4Rec"])
ap.add_argument("--data-dir", required=True)
ap.add_argument("--epochs", type=int, required=True)
ap.add_argument("--seed", type=int, default=2026)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--out", required=True)
ap.add_argument("--device", default="cpu",
                help="cpu (default), cuda or cuda:N (N counts the GPUs visible to this process)")
ap.add_argument("--time-budget", type=float, default=None,
                help="seconds of training + validation after which no new epoch is started (default: none)")
ap.add_argument("--checkpoint", default=None,
                help="write a resumable checkpoint here after every epoch; continue from it if it exists")
ap.add_argument("--stop-after", type=int, default=None,
                help="end this invocation after this many epochs (resume later with the same --checkpoint)")
ap.add_argument("--test-eval-repeats", type=int, default=3,
                help="times the test full-ranking evaluation is timed (metrics from the first)")
args = ap.parse_args()
if args.device != "cpu" and not (args.device == "cuda" or (args.device.startswith("cuda:") and args.device[5:].isdigit())):
    ap.error(f"--device must be cpu, cuda or cuda:N, got {args.device!r}")


def recbole_gpu_id(device: str) -> str:
    """RecBole 1.2.1's ``gpu_id`` for ``device``.

    RecBole 1.2.1 (``Config._init_device``) ignores ``use_gpu`` when choosing the device: it sets
    ``CUDA_VISIBLE_DEVICES = gpu_id`` and uses ``cuda`` unless ``gpu_id`` is empty or CUDA is
    unavailable (``use_gpu`` only switches the GPU-memory display of the progress bars). So the CPU
    needs ``gpu_id=''`` and ``cuda:N`` the physical id of the N-th visible GPU.
    """
    if device == "cpu":
        return ""
    n = int(device.split(":")[1]) if ":" in device else 0
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return str(n)
    ids = [v.strip() for v in visible.split(",") if v.strip()]
    if n >= len(ids):
        sys.exit(f"--device {device}: CUDA_VISIBLE_DEVICES={visible!r} shows {len(ids)} GPU(s)")
    return ids[n]

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = str(args.threads)

import numpy as np  # noqa: E402

# RecBole 1.2.1 still uses names removed in NumPy 2 / 1.24; alias them for this process only.
for _name, _val in {
    "float_": np.float64, "complex_": np.complex128, "unicode_": np.str_,
    "float": float, "int": int, "bool": bool, "object": object,
}.items():
    if not hasattr(np, _name):
        setattr(np, _name, _val)

import torch  # noqa: E402

torch.set_num_threads(args.threads)
try:
    torch.set_num_interop_threads(args.threads)
except RuntimeError:
    pass

import recbole  # noqa: E402
from recbole.config import Config  # noqa: E402
from recbole.data import create_dataset, data_preparation  # noqa: E402
from recbole.utils import early_stopping, get_model, get_trainer, init_seed, calculate_valid_score  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from ml100k_atomic import DATASET, build_atomic  # noqa: E402

KS = [5, 10, 20]


def atomic_write(path: str, write, suffix: str) -> None:
    "Call write(tmp_path) on a temporary file next to `path`, then rename it into place."
    d = os.path.dirname(path) or "."
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp_", suffix=suffix)
    os.close(fd)
    write(tmp)
    os.replace(tmp, path)


def atomic_json(path: str, obj) -> None:
    def write(tmp):
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    atomic_write(path, write, ".json")


def atomic_torch_save(obj, path: str) -> None:
    atomic_write(path, lambda tmp: torch.save(obj, tmp), ".pt")


def rename(result) -> dict:
    out = {}
    for k in KS:
        out[f"HR@{k}"] = float(result[f"hit@{k}"])
        out[f"NDCG@{k}"] = float(result[f"ndcg@{k}"])
    return out


def _shown(path: str) -> str:
    "`path` relative to the repository when it lies inside it (result files hold no machine paths), else its name."
    rel = os.path.relpath(path, os.path.dirname(HERE))
    return os.path.basename(path) if rel.startswith("..") else rel


def main() -> None:
    data_dir = os.path.abspath(args.data_dir)
    out = os.path.abspath(args.out)
    # resolved before the chdir below: a relative --checkpoint names a file under the caller's folder
    ckpt = os.path.abspath(args.checkpoint) if args.checkpoint else None
    inter = os.path.join(data_dir, DATASET, DATASET + ".inter")
    if not os.path.exists(inter):
        build_atomic(data_dir)
    work = tempfile.mkdtemp(prefix=f"recbole_{args.model}_")
    os.chdir(work)  # RecBole writes log_tensorboard/ and saved/ relative to cwd
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)

    config_dict = {
        "data_path": data_dir,
        "load_col": {"inter": ["user_id", "item_id", "timestamp"]},
        "USER_ID_FIELD": "user_id", "ITEM_ID_FIELD": "item_id", "TIME_FIELD": "timestamp",
        "user_inter_num_interval": "[0,inf)", "item_inter_num_interval": "[0,inf)",
        "val_interval": None, "rm_dup_inter": None,
        "loss_type": "CE", "train_neg_sample_args": None,
        "MAX_ITEM_LIST_LENGTH": 50,
        "eval_args": {"split": {"LS": "valid_and_test"}, "order": "TO", "mode": "full",
                      "group_by": "user"},
        "metrics": ["Hit", "NDCG"], "topk": KS, "valid_metric": "NDCG@10",
        "stopping_step": 10, "epochs": args.epochs, "seed": args.seed,
        "reproducibility": True, "show_progress": False,
        "use_gpu": args.device != "cpu", "gpu_id": recbole_gpu_id(args.device),
        "checkpoint_dir": os.path.join(work, "saved"), "worker": 0,
    }
    config = Config(model=args.model, dataset=DATASET, config_dict=config_dict)
    if config["device"].type != args.device.split(":")[0]:  # RecBole falls back to the CPU silently
        sys.exit(f"--device {args.device}: RecBole chose {config['device']} (torch.cuda.is_available() = "
                 f"{torch.cuda.is_available()})")
    on_gpu = config["device"].type == "cuda"
    init_seed(config["seed"], config["reproducibility"])
    dataset = create_dataset(config)
    train_data, valid_data, test_data = data_preparation(config, dataset)
    init_seed(config["seed"] + config["local_rank"], config["reproducibility"])
    model = get_model(config["model"])(config, train_data._dataset).to(config["device"])
    # Importing RecBole's sequential models runs recbole/model/sequential_recommender/sine.py, whose module level
    # calls torch.autograd.set_detect_anomaly(True): a debugging mode, on for the whole process, that checks every
    # backward output for NaN. It changes no number (losses and weights after 4 batches are bit-identical with it off,
    # SASRec and GRU4Rec) but made the training step 2.0x (SASRec) and 2.3x (GRU4Rec) slower on the 2-core CPU
    # (benchmarks/recbole_anomaly.py, interleaved in one process). Neither SASRec nor GRU4Rec
    # asks for it, so it is switched off, and the JSON says so.
    anomaly_mode_at_import = torch.is_anomaly_enabled()
    torch.autograd.set_detect_anomaly(False)
    trainer = get_trainer(config["MODEL_TYPE"], config["model"])(config, model)
    n_params = int(sum(p.numel() for p in model.parameters()))
    n_trainable = int(sum(p.numel() for p in model.parameters() if p.requires_grad))
    logging.info("dataset: %s", dataset)
    logging.info("model: %s", model)

    keys = ["model", "seed", "epochs", "learning_rate", "train_batch_size", "eval_batch_size",
            "learner", "weight_decay", "stopping_step", "loss_type", "MAX_ITEM_LIST_LENGTH",
            "eval_args", "metrics", "topk", "valid_metric", "metric_decimal_place",
            "train_neg_sample_args", "clip_grad_norm", "device"]
    model_keys = {"SASRec": ["n_layers", "n_heads", "hidden_size", "inner_size",
                             "hidden_dropout_prob", "attn_dropout_prob", "hidden_act",
                             "layer_norm_eps", "initializer_range"],
                  "GRU4Rec": ["embedding_size", "hidden_size", "num_layers", "dropout_prob"]}
    cfg = {}
    for k in keys + model_keys[args.model]:
        v = config[k]
        cfg[k] = v if isinstance(v, (int, float, str, bool, list, dict, type(None))) else str(v)
    res = {
        "library": "recbole", "recbole_version": recbole.__version__,
        "torch_version": torch.__version__, "numpy_version": np.__version__,
        "python": platform.python_version(), "threads": args.threads,
        "device": str(config["device"]), "gpu_id": config["gpu_id"],
        "gpu_name": torch.cuda.get_device_name(config["device"]) if on_gpu else None,
        "time_budget_seconds": args.time_budget,
        "anomaly_mode_at_import": anomaly_mode_at_import, "anomaly_mode": torch.is_anomaly_enabled(),
        "model": args.model, "seed": args.seed, "epoch_cap": args.epochs,
        "config": cfg,
        "data": {"inter_file": _shown(inter), "users": int(dataset.user_num - 1),
                 "items": int(dataset.item_num - 1),
                 # after RecBole's data augmentation every non-first interaction is one sample
                 "interactions": int(len(dataset) + dataset.user_num - 1),
                 "augmented_samples": int(len(dataset)),
                 "train_samples": len(train_data._dataset),
                 "valid_samples": len(valid_data._dataset),
                 "test_samples": len(test_data._dataset)},
        "num_parameters": n_params, "num_trainable_parameters": n_trainable,
        "epochs": [], "train_seconds": [], "valid_eval_seconds": [], "train_loss": [],
        "valid_metrics": [], "best_epoch": None, "best_valid_NDCG@10": None,
        "status": "running",
    }

    trainer.eval_collector.data_collect(train_data)
    best_score, cur_step, best_state, start = -np.inf, 0, None, 0
    if ckpt and os.path.exists(ckpt):
        c = torch.load(ckpt, map_location=config["device"], weights_only=True)
        saved = json.loads(c["result"])
        for k in ("model", "seed", "epoch_cap"):
            if saved[k] != res[k]:
                sys.exit(f"--checkpoint {ckpt}: it is a run with {k}={saved[k]!r}, this one has {k}={res[k]!r}")
        model.load_state_dict(c["model"]); trainer.optimizer.load_state_dict(c["optimizer"])
        best_state, best_score, cur_step = c["best_state"], c["best_score"], c["cur_step"]
        train_data.generator.set_state(c["loader_generator"]); torch.set_rng_state(c["torch_rng"])
        if on_gpu: torch.cuda.set_rng_state(c["cuda_rng"])
        res = {**saved, "resumed_at_epochs": saved.get("resumed_at_epochs", []) + [c["epoch"] + 1]}
        start = c["epoch"] + 1
        logging.info("resumed from %s after epoch %d (best %s)", ckpt, c["epoch"], res["best_epoch"])
    atomic_json(out, res)   # after the resume, so that a resumed run's file keeps its earlier epochs
    sync = torch.cuda.synchronize if on_gpu else (lambda: None)
    stopped_by, t_start = "epoch_cap", time.perf_counter()
    for epoch in range(start, args.epochs):
        t0 = time.perf_counter()
        loss = trainer._train_epoch(train_data, epoch, show_progress=False)
        sync()  # the last optimiser step is still queued on the GPU
        t1 = time.perf_counter()
        score, vres = trainer._valid_epoch(valid_data, show_progress=False)
        t2 = time.perf_counter()
        best_score, cur_step, stop, update = early_stopping(
            score, best_score, cur_step, max_step=config["stopping_step"], bigger=True)
        if update:
            best_state = copy.deepcopy(model.state_dict())
            res["best_epoch"] = epoch
            res["best_valid_NDCG@10"] = float(score)
        res["epochs"].append(epoch)
        res["train_seconds"].append(t1 - t0)
        res["valid_eval_seconds"].append(t2 - t1)
        res["train_loss"].append(float(loss))
        res["valid_metrics"].append(rename(vres))
        res["epochs_run"] = epoch + 1
        atomic_json(out, res)
        if ckpt and not stop:
            atomic_torch_save(dict(model=model.state_dict(), optimizer=trainer.optimizer.state_dict(),
                                   best_state=best_state, best_score=float(best_score), cur_step=int(cur_step),
                                   epoch=epoch, loader_generator=train_data.generator.get_state(),
                                   torch_rng=torch.get_rng_state(),
                                   **({"cuda_rng": torch.cuda.get_rng_state()} if on_gpu else {}),
                                   result=json.dumps(res)), ckpt)
        logging.info("epoch %d loss %.4f train %.1fs valid %.1fs NDCG@10 %.4f best %s",
                     epoch, loss, t1 - t0, t2 - t1, score, res["best_epoch"])
        if stop:
            stopped_by = "early_stopping"
            break
        if args.stop_after is not None and epoch + 1 - start >= args.stop_after and epoch + 1 < args.epochs:
            logging.info("--stop-after %d: stopping after epoch %d; continue with the same --checkpoint", args.stop_after, epoch)
            return
        if args.time_budget is not None and epoch + 1 < args.epochs and t2 - t_start >= args.time_budget:
            stopped_by = "time_budget"
            logging.info("time budget of %g s reached after epoch %d", args.time_budget, epoch)
            break
    res["early_stopped"] = stopped_by == "early_stopping"
    res["stopped_by"] = stopped_by

    model.load_state_dict(best_state)  # best-valid weights kept in memory
    test_times, test_res = [], None
    for r in range(max(1, args.test_eval_repeats)):
        t0 = time.perf_counter()
        tr = trainer.evaluate(test_data, load_best_model=False, show_progress=False)
        test_times.append(time.perf_counter() - t0)
        if test_res is None:
            test_res = tr
    res["test_metrics"] = rename(test_res)
    res["test_eval_seconds"] = test_times
    res["mean_test_eval_seconds"] = float(np.mean(test_times))
    res["total_train_seconds"] = float(np.sum(res["train_seconds"]))
    res["mean_epoch_train_seconds"] = float(np.mean(res["train_seconds"]))
    res["mean_valid_eval_seconds"] = float(np.mean(res["valid_eval_seconds"]))
    res["status"] = "done"
    atomic_json(out, res)
    logging.info("test (best epoch %s): %s", res["best_epoch"], res["test_metrics"])


if __name__ == "__main__":
    main()
