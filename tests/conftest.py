"""Fixtures shared by test modules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test harness (a temporary local API, ~15-20 s to start) for the whole session.

    Shared here so that every flow test pays the start-up once; a module that defines its own
    ``prefect_harness`` starts a second one.
    """
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield
