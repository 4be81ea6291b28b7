"""Build the shared ML-100k split used by both sides of the SASRec/GRU4Rec benchmark.

Source: ``recbole/dataset_example/ml-100k/ml-100k.inter`` inside the recbole 1.2.1 wheel.
Steps: all ratings are interactions -> iterative 5-core filter (users and items) ->
per-user STABLE sort by timestamp (ties keep original file row order) -> RecBole atomic
file whose ``timestamp`` column is the 0-based position inside the user's sequence.

Usage: python benchmarks/ml100k_atomic.py [OUT_DIR] [--wheel PATH]
"""
from __future__ import annotations

import argparse
import glob
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import pandas as pd

DATASET = "ml-100k-llmd4rec"
MEMBER = "recbole/dataset_example/ml-100k/ml-100k.inter"
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_CACHE = os.path.join(REPO_ROOT, "data", "cache")


def _atomic_write_text(path: str, text: str) -> None:
    d = os.path.dirname(path)
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix=".tmp_", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def find_wheel(cache_dir: str = DEFAULT_CACHE) -> str:
    """Return the path of recbole-1.2.1 wheel, downloading it with pip if needed."""
    wheel_dir = os.path.join(cache_dir, "wheels")
    hits = sorted(glob.glob(os.path.join(wheel_dir, "recbole-1.2.1-*.whl")))
    if hits:
        return hits[0]
    os.makedirs(wheel_dir, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "recbole==1.2.1", "-d", wheel_dir],
        check=True,
    )
    hits = sorted(glob.glob(os.path.join(wheel_dir, "recbole-1.2.1-*.whl")))
    if not hits:
        raise FileNotFoundError("recbole 1.2.1 wheel not found after pip download")
    return hits[0]


def read_raw(wheel: str) -> pd.DataFrame:
    with zipfile.ZipFile(wheel) as z:
        raw = z.read(MEMBER).decode("utf-8")
    df = pd.read_csv(io.StringIO(raw), sep="\t", dtype=str)
    df.columns = [c.split(":")[0] for c in df.columns]  # user_id item_id rating timestamp
    df["timestamp"] = df["timestamp"].astype(float)
    df["row"] = range(len(df))  # original file row order, for stable tie-breaking
    return df[["user_id", "item_id", "timestamp", "row"]]


def five_core(df: pd.DataFrame, k: int = 5) -> pd.DataFrame:
    while True:
        uc = df["user_id"].map(df["user_id"].value_counts())
        ic = df["item_id"].map(df["item_id"].value_counts())
        keep = (uc >= k) & (ic >= k)
        if keep.all():
            return df
        df = df[keep]


def build_atomic(out_dir: str, wheel: str | None = None) -> str:
    """Write ``<out_dir>/ml-100k-llmd4rec/ml-100k-llmd4rec.inter`` (+ ``stats.json``); return its path."""
    wheel = wheel or find_wheel()
    df = five_core(read_raw(wheel))
    # stable sort: by user (first appearance order irrelevant), then timestamp, ties by file row
    df = df.sort_values(["row"]).sort_values(["user_id", "timestamp"], kind="stable")
    df = df.assign(pos=df.groupby("user_id", sort=False).cumcount())
    ds_dir = os.path.join(out_dir, DATASET)
    path = os.path.join(ds_dir, DATASET + ".inter")
    lines = ["user_id:token\titem_id:token\ttimestamp:float"]
    lines += [f"{u}\t{i}\t{p}" for u, i, p in zip(df["user_id"], df["item_id"], df["pos"])]
    _atomic_write_text(path, "\n".join(lines) + "\n")
    stats = {
        "users": int(df["user_id"].nunique()),
        "items": int(df["item_id"].nunique()),
        "interactions": int(len(df)),
        "source": MEMBER + " from " + os.path.basename(wheel),
        "filter": "iterative 5-core on users and items, all ratings kept",
        "timestamp": "0-based position in the user's stable timestamp-sorted sequence",
    }
    _atomic_write_text(os.path.join(ds_dir, "stats.json"), json.dumps(stats, indent=2) + "\n")
    return path


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir", nargs="?", default=os.path.join(DEFAULT_CACHE, "recbole"))
    ap.add_argument("--wheel", default=None)
    a = ap.parse_args()
    p = build_atomic(a.out_dir, a.wheel)
    print(p)
    print(open(os.path.join(os.path.dirname(p), "stats.json")).read())
