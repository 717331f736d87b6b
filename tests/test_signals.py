"""Issue 11 item 4: SIGTERM and Ctrl-C end `mirkb run` and `mirkb serve` (Prefect) cleanly.

Each test starts the real command in a subprocess (its own session), waits until its refresh has a
"running" run row (Prefect's temporary API is up by then), sends the signal, and checks: the process
exits by itself, the run is marked interrupted, and no process it started (Prefect's server,
uvicorn) is left alive.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import kb_fakes
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _status(kb: Path) -> list[str]:
    if not kb.exists():
        return []
    try:
        with sqlite3.connect(kb, timeout=1) as db:
            return [r[0] for r in db.execute("select status from runs order by run_id")]
    except sqlite3.Error:
        return []


def _start(args: list[str], tmp_path: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(Path(__file__).parent)]),
               MIRKB_EXTRACTOR="kb_fakes:factory", FAKE_SLEEP="1",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="120",
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    return subprocess.Popen([sys.executable, "-m", "mirkb.cli", *args], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _interrupt_when_running(proc: subprocess.Popen, kb: Path, sig: int,
                            group: bool = False) -> tuple[int, str, list[psutil.Process]]:
    deadline = time.monotonic() + 120
    while "running" not in _status(kb):
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "the refresh never started"
        time.sleep(0.3)
    time.sleep(1.5)  # inside a document's extraction
    children = psutil.Process(proc.pid).children(recursive=True)
    if group:
        os.killpg(proc.pid, sig)  # what Ctrl-C in a terminal does: the whole foreground group
    else:
        proc.send_signal(sig)
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("mirkb did not exit after the signal")
    return proc.returncode, err, children


def _assert_nothing_left(children: list[psutil.Process], session: int) -> None:
    time.sleep(1)
    alive = [p for p in children if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    in_session = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        try:
            if os.getsid(p.pid) == session and p.status() != psutil.STATUS_ZOMBIE:
                in_session.append(p)
        except (ProcessLookupError, psutil.Error, OSError):
            continue
    for p in {*alive, *in_session}:
        p.kill()
    assert not alive and not in_session, [" ".join(p.info.get("cmdline") or []) if hasattr(p, "info") else p.pid
                                          for p in {*alive, *in_session}]


@pytest.mark.prefect
def test_sigterm_ctrl_c_and_sigkill_leave_no_prefect_server_behind(tmp_path):
    # All at once: each pays Prefect's start-up (~20-40 s), so in parallel the suite pays it once.
    cases = {  # name: (command, signal, to the whole process group (a terminal's Ctrl-C), exit status)
        "run-sigterm": ("run", signal.SIGTERM, False, 143),
        "serve-ctrl-c": ("serve", signal.SIGINT, True, 130),
        "run-sigkill": ("run", signal.SIGKILL, False, -9),
    }
    procs = {}
    for name, (command, *_rest) in cases.items():
        folder = tmp_path / name
        corpus, kb = folder / "corpus", folder / "kb.sqlite"
        kb_fakes.write_corpus(corpus, 60)
        when = ["--every", "1"] if command == "serve" else []
        procs[name] = (_start([command, *when, "--corpus", str(corpus), "--kb", str(kb),
                               "--gold", str(folder / "none")], folder), kb)
    for name, (proc, kb) in procs.items():
        _command, sig, group, want = cases[name]
        code, err, children = _interrupt_when_running(proc, kb, sig, group)
        assert code == want, f"{name}: {err[-3000:]}"
        assert children, f"{name}: no Prefect server process was seen"
        if sig != signal.SIGKILL:
            assert "Traceback" not in err, f"{name}: {err[-3000:]}"
            # marked, and serve started no further run after the signal
            assert _status(kb) == ["interrupted"], name
        # even after SIGKILL, Prefect's server ends with its parent (PR_SET_PDEATHSIG)
        _assert_nothing_left(children, proc.pid)
