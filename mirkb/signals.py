"""SIGTERM and Ctrl-C end mirkb the same way: unwinding, so the run is marked and children stop.

Python's default SIGTERM kills the process where it stands: no ``finally``, no ``atexit``, so the
run stays "running" and Prefect's temporary API server (a child process stopped at exit) lives on.
Here both signals raise :class:`KeyboardInterrupt` in the main thread and set :data:`STOP`, which
code that catches broad exceptions (Prefect turns an interrupt inside a flow into a crashed run;
``mirkb serve`` goes on after a failed run) checks to stop too. A second signal while stopping is
not raised again, so clean-up (marking the run, stopping the server) is not cut short.
"""

from __future__ import annotations

import signal
import threading

STOP = threading.Event()
#: Name of the signal that set STOP ("SIGINT", "SIGTERM").
RECEIVED = ""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM: the signal's name is the message."""


def _handler(signum, _frame):
    global RECEIVED
    if STOP.is_set():
        return
    RECEIVED = signal.Signals(signum).name
    STOP.set()
    raise Interrupted(RECEIVED)


def check() -> None:
    """Raise :class:`Interrupted` if a signal came while a caller swallowed its exception."""
    if STOP.is_set():
        raise Interrupted(RECEIVED or "SIGINT")


def install() -> dict:
    """Route SIGINT and SIGTERM to :func:`_handler` (main thread only); returns the handlers replaced."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    STOP.clear()
    return {sig: signal.signal(sig, _handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def restore(previous: dict) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def close_runs_of_this_process() -> list[int]:
    """Mark the refreshes this process had open as interrupted, with what they wrote."""
    try:
        from mirkb.batch import RunLease, get_kb
    except ImportError:
        return []
    closed = []
    for url, run_id in sorted(RunLease._held):
        try:
            store = get_kb(url)
            run = store.run(run_id)
            if run and run["status"] == "running":
                store.mark_interrupted(run_id)
                closed.append(run_id)
        except Exception:  # noqa: BLE001 - best effort on the way out; the next run marks it anyway
            continue
        RunLease._held.discard((url, run_id))
    return closed


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # noqa: BLE001 - not Linux: the session below still spares it from Ctrl-C
        pass


def guard_prefect_server() -> None:
    """Start Prefect's temporary API server in a session of its own and tied to this process's life.

    In mirkb's process group the server gets the terminal's Ctrl-C too and dies at once, while the
    flow still reports its crash to it, retrying for minutes: Ctrl-C seemed to do nothing. Out of
    the group it lives until Prefect stops it at exit (SIGTERM and Ctrl-C unwind to that); with
    PR_SET_PDEATHSIG it also ends when mirkb is killed outright.
    """
    import subprocess
    import types

    try:
        from prefect.server.api import server as api_server
    except ImportError:
        return
    if getattr(api_server, "_mirkb_guarded", False):
        return
    real_popen = subprocess.Popen

    def popen(*args, **kwargs):
        kwargs.setdefault("start_new_session", True)
        kwargs.setdefault("preexec_fn", _die_with_parent)
        return real_popen(*args, **kwargs)

    # A private view of the subprocess module for Prefect's server module only.
    api_server.subprocess = types.SimpleNamespace(**{**vars(subprocess), "Popen": popen})
    api_server._mirkb_guarded = True
