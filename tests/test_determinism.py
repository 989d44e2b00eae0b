"""Records do not depend on the process: Python's string hashing differs in every process
(Dask workers, spawned pool workers), and no extractor may let set or dict order leak out."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_records_are_the_same_whatever_the_hash_seed(tmp_path):
    pages = tmp_path / "in"
    pages.mkdir()
    for page in sorted((REPO / "raw").iterdir())[::4]:  # a dozen pages of every kind
        shutil.copy(page, pages / page.name)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed)
        subprocess.run([sys.executable, "-m", "pipeline", "run", str(pages), "--out", str(out), "--quiet",
                        "--workers", "1"], cwd=REPO, env=env, check=True)
        outputs.append((out / "records.jsonl").read_text(encoding="utf-8").replace(str(out), "OUT"))
    assert outputs[0].count("\n") == len(list(pages.iterdir()))
    assert outputs[0] == outputs[1]
