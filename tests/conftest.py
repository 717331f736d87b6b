"""Fixtures shared by test modules."""

from __future__ import annotations

import os

import pytest

# Prefect's temporary API must start within 20 s by default; on a busy 2-core machine it can take
# longer, and a slow start is not what the flow tests are about.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

# One invented KB and evidence site for the report, browser and review tests, built once per session
# (imported here: a fixture imported into each module would be built once per module).
from report_fixture import report_site  # noqa: F401


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness (a temporary local API, ~15-20 s to start) for the whole session.

    Shared here so that every flow test pays the start-up once; a module that defines its own
    ``prefect_harness`` starts a second one.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (tests/pg_server.py), or a skip saying what is missing."""
    import pg_server

    pytest.importorskip("psycopg", reason="psycopg (the postgres extra) is not installed")
    bindir = pg_server.find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) not found; .ci/run installs the Debian "
                    "package postgresql")
    server = pg_server.PostgresServer(bindir).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server, request):
    """A fresh, empty database on the session's PostgreSQL server, as an SQLAlchemy URL."""
    import re

    name = "t_" + re.sub(r"\W", "_", request.node.name)[:50].lower()
    return postgres_server.create_database(name)
