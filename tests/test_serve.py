"""``mirkb serve``: the local scheduler really runs the refresh on time; a Prefect server gets the schedule."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import kb_fakes
import pytest

from mirkb.cli import main
from mirkb.commands import serve as sv
from mirkb.kb import KnowledgeBase

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _serve_in_subprocess(tmp_path, *args: str, timeout: float) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path / "corpus"
    kb_fakes.write_corpus(folder, 2)
    kb = tmp_path / "kb.sqlite"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)]), "MIRKB_EXTRACTOR": "kb_fakes:make",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "mirkb.cli", "serve", *args, "--corpus", str(folder), "--kb", str(kb),
         "--gold", str(tmp_path / "no-gold")],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=timeout,
    )
    return proc, kb


def _documents_ok(kb: Path) -> dict[str, str]:
    with KnowledgeBase(kb) as store:
        return {d: s["status"] for d, s in store.document_states().items()}


def test_default_without_a_server_runs_the_refresh_flow_on_schedule_and_writes_the_kb(tmp_path):
    # The reviewer's case: no PREFECT_API_URL. Prefect's temporary API has no scheduler service, so
    # flow.serve never got a run; the local scheduler must run the flow itself (~10 s: Prefect start-up).
    proc, kb = _serve_in_subprocess(tmp_path, "--every", "1", "--max-runs", "1", timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "local scheduler" in proc.stderr and "Prefect flow" in proc.stderr
    assert "mirkb run 1: completed" in proc.stdout and "2 added" in proc.stdout
    assert _documents_ok(kb) == {"doc000": "ok", "doc001": "ok"}


def test_no_prefect_runs_each_time_then_stops_after_max_runs(tmp_path):
    proc, kb = _serve_in_subprocess(tmp_path, "--every", "0.5", "--max-runs", "2", "--no-prefect", timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count("mirkb run ") == 2
    assert "no changes" in proc.stdout.split("mirkb run 2")[1]
    assert proc.stderr.count("next run at") == 2
    assert _documents_ok(kb) == {"doc000": "ok", "doc001": "ok"}


class FakeClock:
    def __init__(self, start: datetime):
        self.t = start
        self.naps: list[float] = []

    def now(self) -> datetime:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.t += timedelta(seconds=seconds)


def test_cron_runs_at_each_fire_time_in_its_time_zone_across_a_dst_change(capsys):
    berlin = ZoneInfo("Europe/Berlin")
    clock = FakeClock(datetime(2024, 3, 30, 5, 59, 30, tzinfo=berlin))
    started = []

    def run_once():
        started.append(clock.now())
        return {"status": "completed"} | _summary_fields()

    schedule = sv.Schedule(cron="0 6 * * *", timezone="Europe/Berlin")
    status = sv.run_schedule(schedule, run_once, max_runs=2, now=clock.now, sleep=clock.sleep,
                             out=sys.stdout, err=sys.stderr)
    assert status == 0
    # 06:00 local on both days, although clocks moved from UTC+1 to UTC+2 in between (23 h apart).
    assert [t.isoformat() for t in started] == ["2024-03-30T06:00:00+01:00", "2024-03-31T06:00:00+02:00"]
    assert max(clock.naps) <= 60  # short naps, so a clock change or a suspend is noticed


def test_each_run_prints_its_summary_and_the_next_time(capsys):
    clock = FakeClock(datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")))
    summary = {"run_id": 7, "status": "completed", "config_id": "fake-1", "corpus": "c", "kb": "k",
               "documents": {"added": 1, "changed": 0, "reextracted": 0, "failed": 0, "unchanged": 0},
               "triples_added": 2, "triples_removed": 0, "triples_total": 2, "n_mentions": 2, "seconds": 0.1,
               "no_changes": False}
    schedule = sv.Schedule(every=5, timezone="UTC", anchor=clock.now())
    assert sv.run_schedule(schedule, lambda: summary, max_runs=1, now=clock.now, sleep=clock.sleep) == 0
    captured = capsys.readouterr()
    assert "mirkb run 7: completed" in captured.out and "triples: 2 added" in captured.out
    assert "next run at 2024-01-01 00:00:05 UTC" in captured.err


def test_a_failing_run_is_reported_and_the_schedule_goes_on(capsys):
    clock = FakeClock(datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")))
    calls = []

    def run_once():
        calls.append(clock.now())
        if len(calls) == 1:
            raise OSError("knowledge base share is gone")
        return {"status": "completed with errors", "errors": []} | _summary_fields()

    schedule = sv.Schedule(every=10, timezone="UTC", anchor=clock.now())
    assert sv.run_schedule(schedule, run_once, max_runs=2, now=clock.now, sleep=clock.sleep) == 1
    assert len(calls) == 2
    assert "run 1 failed: OSError: knowledge base share is gone" in capsys.readouterr().err


def _summary_fields() -> dict:
    return {"run_id": 1, "config_id": "x", "corpus": "c", "kb": "k",
            "documents": {"added": 0, "changed": 0, "reextracted": 0, "failed": 1, "unchanged": 0},
            "triples_added": 0, "triples_removed": 0, "triples_total": 0, "n_mentions": 0, "seconds": 0.0}


def test_runs_never_overlap_times_passed_during_a_long_run_are_skipped():
    clock = FakeClock(datetime(2024, 1, 1, tzinfo=ZoneInfo("UTC")))
    started = []

    def long_run():
        started.append(clock.now())
        clock.t += timedelta(seconds=25)  # longer than two intervals
        return {"status": "completed"} | _summary_fields()

    schedule = sv.Schedule(every=10, timezone="UTC", anchor=clock.now())
    out, err = io.StringIO(), io.StringIO()
    sv.run_schedule(schedule, long_run, max_runs=2, now=clock.now, sleep=clock.sleep, out=out, err=err)
    assert [(t - started[0]).total_seconds() for t in started] == [0, 30]


def test_with_prefect_api_url_the_flow_is_served_to_that_server_with_the_schedule(tmp_path, monkeypatch):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows import refresh

    served = {}
    monkeypatch.setattr(refresh.refresh_flow, "serve", lambda **kw: served.update(kw), raising=False)
    folder = tmp_path / "corpus"
    folder.mkdir()
    with temporary_settings(updates={PREFECT_API_URL: "http://prefect.invalid:4200/api"}):
        assert main(["serve", "--cron", "0 6 * * 1", "--timezone", "Europe/Berlin", "--corpus", str(folder),
                     "--kb", str(tmp_path / "kb.sqlite"), "--name", "nightly"]) == 0
        assert main(["serve", "--every", "5", "--max-runs", "1", "--corpus", str(folder)]) == 2
    assert served["name"] == "nightly"
    (schedule,) = served["schedules"]
    assert (schedule.cron, schedule.timezone) == ("0 6 * * 1", "Europe/Berlin")
    assert served["parameters"]["corpus"] == str(folder)
    assert served["parameters"]["kb"] == str(tmp_path / "kb.sqlite")


@pytest.mark.parametrize("args, message", [
    (["--cron", "61 * * * *"], "invalid --cron"),
    (["--cron", "* * *"], "needs 5 fields"),
    (["--every", "0"], "positive number"),
    (["--every", "5", "--timezone", "Mars/Olympus_Mons"], "unknown --timezone"),
    (["--every", "5", "--max-runs", "0"], "--max-runs must be at least 1"),
])
def test_bad_schedules_are_usage_errors(tmp_path, capsys, args, message):
    assert main(["serve", *args, "--corpus", str(tmp_path), "--no-prefect"]) == 2
    assert message in capsys.readouterr().err


def test_cron_and_every_together_or_neither_are_refused(tmp_path):
    for args in (["--cron", "* * * * *", "--every", "5"], []):
        with pytest.raises(SystemExit) as exit_info:
            main(["serve", *args, "--corpus", str(tmp_path)])
        assert exit_info.value.code == 2


def test_help_says_which_scheduler_runs_and_how_to_use_a_server(capsys):
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert "PREFECT_API_URL" in out and "local" in out and "prefect server start" in out
    assert "--max-runs" in out and "--every" in out
