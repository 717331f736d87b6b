"""Run one refresh with the fake extractor, for tests that need a separate process.

    python tests/refresh_helper.py CORPUS KB     (FAKE_SLEEP=seconds per document, FAKE_CONFIG=id)

Prints the run summary as JSON and exits with the run's status (0 completed, 1 with errors).
"""

from __future__ import annotations

import json
import sys

import kb_fakes  # beside this script, so on sys.path when it runs as a script

from mirkb.batch import refresh, set_extractor_factory


def main(corpus: str, kb: str) -> int:
    set_extractor_factory(kb_fakes.factory)
    summary = refresh(corpus, kb, gold_dir=None)
    print(json.dumps(summary.as_dict(), default=str), flush=True)
    return summary.exit_code


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
