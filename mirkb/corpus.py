"""The source corpus manifest (corpus/manifest.csv) and a check of a corpus folder against it.

The corpus texts live outside the repository (their text must never be copied in); the manifest
records what each one is and the sha256 of its bytes, so gold offsets and line numbers are known
to refer to exactly those files.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

MANIFEST_COLUMNS = ("doc_id", "file", "title", "journal", "year", "doi", "licence", "sha256")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A malformed manifest; the message names the file, the line and the column."""


@dataclass(frozen=True)
class ManifestEntry:
    doc_id: str
    file: str  # path relative to the corpus folder
    title: str
    journal: str
    year: int
    doi: str
    licence: str
    sha256: str


@dataclass(frozen=True)
class Problem:
    kind: str  # "missing" or "changed" (errors), "extra" (a warning)
    file: str
    message: str

    @property
    def is_error(self) -> bool:
        # A file nobody listed does not invalidate the listed ones; a missing or changed one does.
        return self.kind != "extra"


def load_manifest(path: str | Path | None = None) -> list[ManifestEntry]:
    """Read and check the manifest (default: corpus/manifest.csv of the checkout)."""
    from mirkb import settings

    path = Path(path) if path else settings.default_manifest()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != MANIFEST_COLUMNS:
            raise ManifestError(f"{path}: header must be {','.join(MANIFEST_COLUMNS)}, "
                                f"found {','.join(reader.fieldnames or ())}")
        entries, ids, files = [], set(), set()
        for row in reader:
            where = f"{path}:{reader.line_num}"
            for key in MANIFEST_COLUMNS:
                if not (row.get(key) or "").strip():
                    raise ManifestError(f"{where}: empty {key}")
            if not _SHA256.fullmatch(row["sha256"]):
                raise ManifestError(f"{where}: sha256 must be 64 lower-case hex digits")
            if not row["year"].isdigit():
                raise ManifestError(f"{where}: year must be a number, found {row['year']!r}")
            if row["doc_id"] in ids or row["file"] in files:
                raise ManifestError(f"{where}: doc_id {row['doc_id']!r} or file {row['file']!r} listed twice")
            ids.add(row["doc_id"])
            files.add(row["file"])
            entries.append(ManifestEntry(**{k: row[k] for k in MANIFEST_COLUMNS} | {"year": int(row["year"])}))
    return entries


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_corpus(corpus_dir: str | Path, manifest: list[ManifestEntry] | None = None) -> list[Problem]:
    """Problems of ``corpus_dir`` against the manifest: missing and changed files, then extra ones.

    Extra files are those mirkb would read (its document suffixes) that the manifest does not list.
    """
    from mirkb.batch import iter_documents

    root = Path(corpus_dir)
    entries = load_manifest() if manifest is None else manifest
    problems = []
    for entry in entries:
        path = root / entry.file
        if not path.is_file():
            problems.append(Problem("missing", entry.file, f"listed in the manifest, not found in {root}"))
            continue
        actual = file_sha256(path)
        if actual != entry.sha256:
            problems.append(Problem("changed", entry.file,
                                    f"sha256 {actual[:12]}… differs from the manifest's {entry.sha256[:12]}…"))
    listed = {e.file for e in entries}
    for path in iter_documents([root]):
        rel = path.relative_to(root).as_posix()
        if rel not in listed:
            problems.append(Problem("extra", rel, "not in the manifest"))
    return problems
