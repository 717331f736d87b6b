"""Errors the command line reports without a traceback (kept apart so commands need not import the cli)."""


class UsageError(Exception):
    """Bad arguments: reported on stderr with exit status 2."""
