"""Issue 11 §2: a built wheel works outside the checkout (it once lacked extractors/data/*.txt).

The wheel is built from this checkout and installed with --no-deps into a fresh venv that sees the
project venv's packages through a .pth line (so nothing is downloaded again). Such a line adds the
folder without running the .pth files inside it, so the checkout's editable install is not seen:
mirkb and extractors come from the wheel alone.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(cmd: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done


def test_wheel_carries_every_data_file_and_extracts_outside_the_checkout(tmp_path):
    dist = tmp_path / "dist"
    # No build isolation: the dev lock pins setuptools and wheel, so no index is needed here.
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist, ROOT],
         cwd=tmp_path)
    wheel = next(dist.glob("mirkb-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    data_files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "extractors" / "data").rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts}
    assert data_files and data_files <= names, sorted(data_files - names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    (site / "project-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # The project venv's pip installs into the new venv (--python): no pip of its own to set up.
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel], cwd=tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([python, "-c", "import extractors, mirkb; print(extractors.__file__); print(mirkb.__file__)"],
                 cwd=work).stdout.split()
    assert all(Path(w).is_relative_to(site) for w in where), where

    (work / "note.txt").write_text(
        "Invented note\n\nIn breast cancer tissues, miR-21 was significantly upregulated compared with "
        "adjacent normal tissues.\n", encoding="utf-8")
    _run([env_dir / "bin" / "mirkb", "extract", "note.txt", "--out", "out.csv"], cwd=work)
    with open(work / "out.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["mirna"], r["cancer"], r["effect"]) for r in rows} == {("miR-21", "breast cancer", "upregulated")}
