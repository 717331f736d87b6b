"""Settings shared by the command line and the flows, each with its default and why.

Every setting can come from a command-line flag or an environment variable; the flag wins.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root when mirkb runs from a checkout (editable install); used to find the
#: default corpus beside it and the shipped gold/ and corpus/manifest.csv.
REPO_ROOT = Path(__file__).resolve().parents[1]


def default_corpus() -> Path | None:
    """``$MIRKB_CORPUS``, else ``../shared/corpus`` beside the current folder or the checkout.

    The two source reviews live outside the repository (their text must never be copied in), so
    the default is the shared folder that sits beside a clone on the team's machines.
    """
    env = os.environ.get("MIRKB_CORPUS")
    if env:
        return Path(env)
    for base in (Path.cwd(), REPO_ROOT):
        candidate = (base / ".." / "shared" / "corpus").resolve()
        if candidate.is_dir():
            return candidate
    return None


def default_kb() -> str:
    """``$MIRKB_KB`` (a path or an SQLAlchemy URL), else ``data/mirkb.sqlite`` in the checkout.

    ``data/`` is git-ignored: the knowledge base is a product of runs, not source.
    """
    return os.environ.get("MIRKB_KB") or str(REPO_ROOT / "data" / "mirkb.sqlite")


def default_gold() -> Path:
    return Path(os.environ.get("MIRKB_GOLD") or REPO_ROOT / "gold")


def default_manifest() -> Path:
    return REPO_ROOT / "corpus" / "manifest.csv"
