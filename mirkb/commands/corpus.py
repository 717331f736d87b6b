"""``mirkb corpus``: list the source corpus manifest and check a corpus folder against it."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

DESCRIPTION = """\
The source corpus is listed in corpus/manifest.csv (doc_id, file, title, journal, year, doi,
licence, sha256). The texts themselves stay outside the repository.

  list   the documents of the manifest
  check  compare a corpus folder with the manifest: a listed file that is missing or whose sha256
         changed is an error (exit status 1); a readable file the manifest does not list is a
         warning (exit status 0)

The corpus folder is --corpus DIR, else $MIRKB_CORPUS, else ../shared/corpus beside the current
folder or the checkout.

examples:
  mirkb corpus list
  mirkb corpus check --corpus ../shared/corpus
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "corpus",
        help="list the corpus manifest or check a corpus folder against it (missing, changed, extra)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=lambda args: _help(parser))
    sub = parser.add_subparsers(dest="action", metavar="ACTION")
    check = sub.add_parser("check", help="check a corpus folder against the manifest (exit 1 on missing/changed)")
    check.add_argument("--corpus", metavar="DIR",
                       help="corpus folder (default: $MIRKB_CORPUS, else ../shared/corpus)")
    check.set_defaults(func=run_check)
    listing = sub.add_parser("list", help="list the documents of the manifest")
    listing.set_defaults(func=run_list)


def _help(parser) -> int:
    parser.print_help(sys.stderr)
    return 2


def resolve_corpus(arg: str | None) -> Path:
    from mirkb import settings
    from mirkb.errors import UsageError

    if arg or os.environ.get("MIRKB_CORPUS"):
        corpus = Path(arg or os.environ["MIRKB_CORPUS"])
        if not corpus.is_dir():
            raise UsageError(f"corpus folder not found: {corpus}")
        return corpus
    corpus = settings.default_corpus()
    if corpus is None:
        raise UsageError("no corpus folder: pass --corpus DIR or set MIRKB_CORPUS; "
                         "the default ../shared/corpus was not found")
    return corpus


def _manifest():
    from mirkb.corpus import ManifestError, load_manifest
    from mirkb.errors import UsageError

    try:
        return load_manifest()
    except (OSError, ManifestError) as exc:
        raise UsageError(f"cannot read the manifest: {exc}") from exc


def run_check(args) -> int:
    from mirkb import settings
    from mirkb.corpus import verify_corpus

    corpus = resolve_corpus(args.corpus)
    entries = _manifest()
    problems = verify_corpus(corpus, entries)
    by_file = {p.file: p for p in problems}
    print(f"corpus {corpus} against {settings.default_manifest()} ({len(entries)} documents listed)")
    for entry in entries:
        problem = by_file.get(entry.file)
        label = problem.kind.upper() if problem else "ok"
        print(f"  {label:<8} {entry.file}" + (f"  {problem.message}" if problem else ""))
    for p in problems:
        if p.kind == "extra":
            print(f"  {'extra':<8} {p.file}  {p.message} (warning)")
    counts = {k: sum(p.kind == k for p in problems) for k in ("missing", "changed", "extra")}
    ok = len(entries) - counts["missing"] - counts["changed"]
    failed = any(p.is_error for p in problems)
    print(f"{'FAILED' if failed else 'OK'}: {ok} ok, {counts['missing']} missing, {counts['changed']} changed, "
          f"{counts['extra']} extra")
    return 1 if failed else 0


def run_list(args) -> int:
    entries = _manifest()
    for e in entries:
        print(f"{e.doc_id}\t{e.year}\t{e.journal}\t{e.doi}\t{e.licence}\t{e.title}")
    print(f"{len(entries)} documents", file=sys.stderr)
    return 0
