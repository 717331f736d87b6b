"""The one writer of tabular outputs (CSV, Parquet): streamed, and atomic.

Rows are appended as they come (a batch never holds every row in memory) to a temporary file
beside the target, renamed over it by :meth:`TableWriter.commit`; an interrupted run leaves the
old output whole and no temporary file behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

SUFFIXES = (".csv", ".parquet")


class OutputError(ValueError):
    """An output path mirkb cannot write (reported before any document is read)."""


def check_output(out: str | Path) -> Path:
    """Validate ``out`` up front, so a long run never ends in an unwritable path."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in SUFFIXES:
        raise OutputError(f"--out {out}: unknown suffix {suffix or '(none)'!r}; use .csv or .parquet")
    if out.is_dir():
        raise OutputError(f"--out {out} is a folder; give a file name ending in .csv or .parquet")
    if not out.parent.is_dir():
        raise OutputError(f"--out {out}: folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK):
        raise OutputError(f"--out {out}: folder {out.parent} is not writable")
    if suffix == ".parquet":
        require_pyarrow()
    _check_writable(out)
    return out


def _check_writable(out: Path) -> None:
    """Create (then remove) ``out`` if it is new, or open it for appending: root, a read-only file
    system or a full quota escape os.access, and must show now, not after the extraction."""
    existed = out.exists()
    try:
        with open(out, "ab"):
            pass
    except OSError as exc:
        raise OutputError(f"--out {out}: cannot write there: {exc.strerror or exc}") from exc
    if not existed:
        out.unlink(missing_ok=True)


def require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise OutputError(f"Parquet output needs pyarrow: {exc}; write .csv instead") from exc


def _file_mode(target: Path) -> int:
    """The mode a plain ``open(target, "w")`` would leave: the existing file's, else 0o666 & ~umask."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)  # the only way to read the umask; set straight back
        os.umask(mask)
        return 0o666 & ~mask


class TableWriter:
    """Append rows (dicts keyed by ``columns``) to ``target`` (.csv or .parquet); :meth:`commit` publishes.

    ``types`` maps a column to "int" or "bool" for Parquet (anything else is a string).
    Use as a context manager: leaving it without commit (an exception) removes the temporary file.
    """

    #: Parquet rows buffered before a row group is written (bounded memory, few row groups).
    ROW_GROUP = 20_000

    def __init__(self, target: str | Path, columns: Sequence[str], types: dict[str, str] | None = None):
        self.target = Path(target)
        self.columns = list(columns)
        self.types = types or {}
        self.rows = 0
        self._parquet = self.target.suffix.lower() == ".parquet"
        self._mode = _file_mode(self.target)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        self._buffer: list[dict] = []
        self._pq = None
        if self._parquet:
            os.close(fd)
            require_pyarrow()
        else:
            self._fh = os.fdopen(fd, "w", encoding="utf-8", newline="")
            self._csv = csv.DictWriter(self._fh, fieldnames=self.columns, extrasaction="ignore")
            self._csv.writeheader()

    def _schema(self):
        import pyarrow as pa

        kinds = {"int": pa.int64(), "bool": pa.bool_()}
        return pa.schema([(c, kinds.get(self.types.get(c, ""), pa.string())) for c in self.columns])

    def _flush_parquet(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        schema = self._schema()
        if self._pq is None:
            self._pq = pq.ParquetWriter(self._tmp, schema)
        cols = {c: [r.get(c) for r in self._buffer] for c in self.columns}
        self._pq.write_table(pa.table(cols, schema=schema))
        self._buffer = []

    def write(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.rows += 1
            if self._parquet:
                self._buffer.append(row)
            else:
                self._csv.writerow(row)
        if self._parquet and len(self._buffer) >= self.ROW_GROUP:
            self._flush_parquet()

    def commit(self) -> Path:
        if self._parquet:
            if self._buffer or self._pq is None:
                self._flush_parquet()
            self._pq.close()
        else:
            self._fh.close()
        os.chmod(self._tmp, self._mode)
        os.replace(self._tmp, self.target)
        self._tmp = None
        return self.target

    def discard(self) -> None:
        if self._tmp is None:
            return
        try:
            if self._parquet and self._pq is not None:
                self._pq.close()
            elif not self._parquet:
                self._fh.close()
        finally:
            Path(self._tmp).unlink(missing_ok=True)
            self._tmp = None

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, exc_type, *_exc) -> None:
        if exc_type is not None or self._tmp is not None:
            self.discard()


def write_table(rows: Iterable[dict], columns: Sequence[str], out: str | Path,
                types: dict[str, str] | None = None) -> Path:
    """Write ``rows`` to ``out`` in one go, atomically (streamed, so ``rows`` may be a generator)."""
    with TableWriter(out, columns, types) as writer:
        writer.write(rows)
        return writer.commit()


def atomic_write(target: Path, write: Callable[[str], None]) -> None:
    """Call ``write(tmp_path)`` then rename the result over ``target`` (for outputs that are not tables)."""
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
