"""Extract many documents into §5 rows: the plain functions behind ``mirkb extract`` and the extract flow.

1. :func:`iter_documents` expands the given files and folders into the files to read.
2. :func:`extract_document` reads and extracts one file; a failure is recorded against the document
   (stage ``ingest`` or ``extract``), never raised, so the batch goes on.
3. :func:`collect` turns per-document results into rows, errors and :class:`BatchStats`.
4. :func:`write_output` writes the rows (CSV or Parquet) and ``FILE.errors.csv`` beside them.

:func:`extract_paths` chains them for one process. The extractor is built once per process by
:func:`get_extractor` (per model/tables setting); tests swap it with :func:`set_extractor_factory`.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extractors.ingest import SUFFIXES, doc_id_for, load_document
from extractors.schema import EFFECTS, OUTPUT_COLUMNS

#: Output suffixes mirkb writes.
OUTPUT_SUFFIXES = (".csv", ".parquet")
ERROR_COLUMNS = ("doc_id", "path", "stage", "message")

# -- the extractor, once per process --------------------------------------------------------------

_lock = threading.Lock()
_factory: Callable[[str, bool], object] | None = None
_extractors: dict[tuple[str, bool], object] = {}


def _default_factory(model: str, tables: bool):
    from extractors.pipeline import Extractor, ExtractSettings

    # An empty model leaves ExtractSettings to read $MIRKB_MODEL, its single source of that default.
    settings = ExtractSettings(model=model, tables=tables) if model else ExtractSettings(tables=tables)
    return Extractor(settings)


def set_extractor_factory(factory: Callable[[str, bool], object] | None) -> None:
    """Build extractors with ``factory(model, tables)`` (None: the real one); drops cached ones."""
    global _factory
    with _lock:
        _factory = factory
        _extractors.clear()


def get_extractor(model: str = "", tables: bool = True):
    """This process's extractor for these settings (anything with ``extract(doc)``), built on first use."""
    with _lock:
        key = (model, tables)
        if key not in _extractors:
            _extractors[key] = (_factory or _default_factory)(model, tables)
        return _extractors[key]


# -- finding documents ----------------------------------------------------------------------------


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files to read, in the order given; folders are walked recursively for the suffixes mirkb reads.

    A file named explicitly is kept whatever its suffix, so an unsupported one is reported against
    that document rather than silently dropped. Hidden files and folders inside a folder are skipped
    (editor and VCS leftovers); a file reached twice is read once.
    Raises FileNotFoundError naming every path that does not exist, before anything is read.
    """
    paths = [Path(p) for p in paths]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no such file or folder: {', '.join(missing)}")
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(
                (p for p in path.rglob("*")
                 if p.suffix.lower() in SUFFIXES and p.is_file()
                 and not any(part.startswith(".") for part in p.relative_to(path).parts)),
                key=lambda p: p.relative_to(path).as_posix(),
            )
        else:
            found = [path]
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                yield p


def duplicate_doc_ids(files: Iterable[Path]) -> dict[Path, str]:
    """Files whose doc_id (file stem) an earlier file already uses, with the message to record.

    Their rows would be indistinguishable from the first file's, with offsets into another text.
    """
    first: dict[str, Path] = {}
    out = {}
    for path in files:
        doc_id = doc_id_for(path)
        if doc_id in first:
            out[path] = f"duplicate doc_id {doc_id!r}: already used by {first[doc_id]}"
        else:
            first[doc_id] = path
    return out


# -- one document ---------------------------------------------------------------------------------


@dataclass
class DocError:
    doc_id: str
    path: str
    stage: str  # "ingest" or "extract"
    message: str


@dataclass
class DocResult:
    doc_id: str
    path: str
    rows: list[dict] = field(default_factory=list)
    error: DocError | None = None


# Retrying cannot bring back a missing file or grant a permission; EIO, ESTALE, timeouts can heal.
_PERMANENT_OS_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def retryable_io_error(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc`` (itself or the one an IngestError wraps) if a retry may help."""
    for candidate in (exc, exc.__cause__):
        if isinstance(candidate, OSError) and not isinstance(candidate, _PERMANENT_OS_ERRORS):
            return candidate
    return None


def error_message(exc: BaseException) -> str:
    from extractors.ingest import IngestError

    text = str(exc).strip() or exc.__class__.__name__
    if isinstance(exc, IngestError):
        return text
    if isinstance(exc, OSError):
        return f"cannot read file: {exc.strerror or text}"
    return f"{exc.__class__.__name__}: {text}"


def failed(path: Path, stage: str, message: str) -> DocResult:
    doc_id = doc_id_for(path)
    return DocResult(doc_id, str(path), error=DocError(doc_id, str(path), stage, message))


def extract_document(path: str | Path, extractor, *, raise_io: bool = False) -> DocResult:
    """Read and extract one file; any failure comes back as ``DocResult.error``.

    With ``raise_io`` an I/O error while reading that a retry may cure (see
    :func:`retryable_io_error`) is raised instead, so a caller with retries can try again.
    """
    path = Path(path)
    try:
        doc = load_document(path)
    except Exception as exc:  # noqa: BLE001 - one bad document must never stop the batch
        io_error = retryable_io_error(exc) if raise_io else None
        if io_error is not None:
            raise io_error from None
        return failed(path, "ingest", error_message(exc))
    try:
        mentions = extractor.extract(doc)
    except Exception as exc:  # noqa: BLE001 - an extractor bug on one text must not cost the others
        return failed(path, "extract", error_message(exc))
    return DocResult(doc.doc_id, str(path), rows=[m.as_row() for m in mentions])


# -- the batch --------------------------------------------------------------------------------------


@dataclass
class BatchStats:
    documents: int
    read: int
    failed: int
    rows: int
    #: unique (doc_id, mirna, cancer, effect) per effect, in the §4 order
    triples_by_effect: dict[str, int]
    startup_seconds: float
    extract_seconds: float
    #: sentences the extractor read (0 when the extractor does not count them)
    sentences: int = 0

    @property
    def triples(self) -> int:
        return sum(self.triples_by_effect.values())

    def as_dict(self) -> dict:
        return asdict(self) | {"triples": self.triples}


def triples_by_effect(rows: Iterable[dict]) -> dict[str, int]:
    unique = {(r["doc_id"], r["mirna"], r["cancer"], r["effect"]) for r in rows}
    counts = Counter(effect for *_, effect in unique)
    order = [e for e in EFFECTS if e in counts] + sorted(set(counts) - set(EFFECTS))
    return {e: counts[e] for e in order}


def collect(results: list[DocResult], startup_seconds: float = 0.0,
            extract_seconds: float = 0.0) -> tuple[list[dict], list[DocError], BatchStats]:
    rows = [row for r in results for row in r.rows]
    errors = [r.error for r in results if r.error is not None]
    stats = BatchStats(
        documents=len(results), read=len(results) - len(errors), failed=len(errors), rows=len(rows),
        triples_by_effect=triples_by_effect(rows), startup_seconds=startup_seconds,
        extract_seconds=extract_seconds,
    )
    return rows, errors, stats


def extract_paths(paths: Iterable[str | Path], extractor,
                  progress: Callable[[DocResult], None] | None = None, *,
                  startup_seconds: float = 0.0) -> tuple[list[dict], list[DocError], BatchStats]:
    """Extract every document under ``paths`` one after another; ``progress`` is called per document."""
    files = list(iter_documents(paths))
    duplicates = duplicate_doc_ids(files)
    started = time.perf_counter()
    sentences_before = getattr(extractor, "sentences_read", 0)
    results = []
    for path in files:
        if path in duplicates:
            result = failed(path, "ingest", duplicates[path])
        else:
            result = extract_document(path, extractor)
        results.append(result)
        if progress:
            progress(result)
    rows, errors, stats = collect(results, startup_seconds, time.perf_counter() - started)
    stats.sentences = getattr(extractor, "sentences_read", 0) - sentences_before
    return rows, errors, stats


# -- output ---------------------------------------------------------------------------------------


class OutputError(ValueError):
    """An output path mirkb cannot write (reported before any document is read)."""


def check_output(out: str | Path) -> Path:
    """Validate ``out`` up front, so a long run never ends in an unwritable path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise OutputError(f"--out {out}: unknown suffix {suffix or '(none)'!r}; use .csv or .parquet")
    if out.is_dir():
        raise OutputError(f"--out {out} is a folder; give a file name ending in .csv or .parquet")
    if not out.parent.is_dir():
        raise OutputError(f"--out {out}: folder {out.parent} does not exist")
    if suffix == ".parquet":
        _require_pyarrow()
    return out


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise OutputError(f"Parquet output needs pyarrow: {exc}; write .csv instead") from exc


def errors_path(out: Path) -> Path:
    """``FILE.errors.csv`` beside ``FILE.csv`` or ``FILE.parquet``."""
    return out.with_suffix(".errors.csv")


def write_output(rows: list[dict], errors: list[DocError], out: str | Path) -> Path | None:
    """Write the §5 rows to ``out`` and the errors beside it; returns the errors file if written.

    A stale errors file from an earlier run is removed, so its presence always means this run failed
    somewhere. Files are written to a temporary name first: an interrupted run leaves the old output.
    """
    import pandas as pd

    out = Path(out)
    frame = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    if out.suffix.lower() == ".parquet":
        _require_pyarrow()
        _atomic(out, lambda tmp: frame.to_parquet(tmp, index=False, engine="pyarrow"))
    else:
        _atomic(out, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8"))
    err_file = errors_path(out)
    if errors:
        table = pd.DataFrame([asdict(e) for e in errors], columns=list(ERROR_COLUMNS))
        _atomic(err_file, lambda tmp: table.to_csv(tmp, index=False, encoding="utf-8"))
        return err_file
    err_file.unlink(missing_ok=True)
    return None


def _file_mode(target: Path) -> int:
    """The mode a plain ``open(target, "w")`` would leave: the existing file's, else 0o666 & ~umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)  # the only way to read the umask; set straight back
        os.umask(mask)
        return 0o666 & ~mask


def _atomic(target: Path, write: Callable[[str], None]) -> None:
    # mkstemp creates the temporary file 0o600; the output must not keep that once renamed.
    mode = _file_mode(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# -- summaries ------------------------------------------------------------------------------------


def _effects_text(stats: BatchStats) -> str:
    return ", ".join(f"{e} {n}" for e, n in stats.triples_by_effect.items()) or "none"


def summary_text(stats: BatchStats, errors: list[DocError], out: Path | None = None,
                 errors_file: Path | None = None) -> str:
    where = f" to {out}" if out else ""
    lines = [
        f"documents: {stats.read} read, {stats.failed} failed (of {stats.documents}); "
        f"{stats.sentences} sentences",
        f"rows: {stats.rows} mention rows, {stats.triples} triples (unique per document) written{where}",
        f"triples by effect: {_effects_text(stats)}",
        f"seconds: start-up {stats.startup_seconds:.1f}, extraction {stats.extract_seconds:.1f}",
    ]
    lines += [f"failed: {e.doc_id} [{e.stage}] {e.message} ({e.path})" for e in errors]
    if errors_file:
        lines.append(f"errors written to {errors_file}")
    return "\n".join(lines)


def summary_markdown(stats: BatchStats, errors: list[DocError], out: Path | None = None) -> str:
    status = "completed with errors" if errors else "completed"
    md = [f"# mirkb extract: {status}", ""]
    if out:
        md += [f"Output `{out}`.", ""]
    md += [
        "| documents | read | failed | mention rows | triples | start-up s | extraction s |",
        "|---|---|---|---|---|---|---|",
        f"| {stats.documents} | {stats.read} | {stats.failed} | {stats.rows} | {stats.triples} "
        f"| {stats.startup_seconds:.1f} | {stats.extract_seconds:.1f} |",
        "",
    ]
    if stats.triples_by_effect:
        md += ["| effect | triples |", "|---|---|"]
        md += [f"| {e} | {n} |" for e, n in stats.triples_by_effect.items()]
        md.append("")
    if errors:
        md += ["| document | stage | error |", "|---|---|---|"]
        md += [f"| {e.doc_id} | {e.stage} | {e.message.replace('|', '/')} |" for e in errors]
    return "\n".join(md)
