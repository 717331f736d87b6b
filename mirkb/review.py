"""The curator's review loop: a sheet of extracted triples out, verdicts back in as gold rows.

``export_sheet`` writes one row per triple and document (its first evidence, the document's line
and offsets, the rule) with empty ``verdict``, ``mirna_fixed``, ``cancer_fixed``, ``effect_fixed``
and ``optional`` columns, as CSV (UTF-8 with BOM, so Excel opens it) or XLSX (with a drop-down of
verdicts). A curator reads each evidence and writes a verdict:

- ``accepted``: the triple is stated there → one gold row (TRIPLES.md §6) as it is;
- ``fixed``: it is stated, with another miRNA, cancer or effect → one gold row with the corrected
  parts (at least one ``*_fixed`` cell filled);
- ``rejected``: not stated → no row;
- empty: not reviewed yet → nothing.

``import_sheet`` checks every row first and writes only when all are good: a sheet with a bad row
(unknown verdict, a name that is not canonical, an effect outside §4, no line) changes no gold
file, and every bad row is reported with its line in the sheet (the header is line 1). Fix the
sheet and import it again: rows already in the gold (same document, miRNA, cancer, effect and
source) are skipped, so importing twice adds nothing. Gold rows made this way were read and judged
by a curator, as the gold guidelines ask; the pipeline's output is only the proposal. A rejected
triple that is already in the gold is left there (and reported): removing gold is done by hand.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from mirkb.scoring import EFFECTS, GOLD_COLUMNS, SOURCES, load_gold

#: Columns of the review sheet; the curator fills the last five.
SHEET_COLUMNS: tuple[str, ...] = (
    "doc_id", "mirna", "cancer", "effect", "source", "evidence", "line", "start", "end", "rule", "hedged",
    "in_gold", "verdict", "mirna_fixed", "cancer_fixed", "effect_fixed", "optional", "note",
)
REQUIRED: tuple[str, ...] = ("doc_id", "mirna", "cancer", "effect", "source", "evidence", "line", "verdict",
                             "mirna_fixed", "cancer_fixed", "effect_fixed")
VERDICTS = {
    "accepted": "accepted", "accept": "accepted", "a": "accepted", "yes": "accepted", "ok": "accepted",
    "rejected": "rejected", "reject": "rejected", "r": "rejected", "no": "rejected",
    "fixed": "fixed", "fix": "fixed", "f": "fixed", "corrected": "fixed",
}


class SheetError(ValueError):
    """A sheet that cannot be read at all (missing file, wrong format, missing columns)."""


# --------------------------------------------------------------------------- export


def _line_finder():
    """doc path → function(start offset) → 1-based line in the document's text, cached per path."""
    texts: dict[str, str | None] = {}

    def text_of(path: str, doc_id: str) -> str | None:
        if path not in texts:
            texts[path] = None
            p = Path(path)
            try:
                if p.suffix.lower() == ".txt":
                    texts[path] = p.read_text(encoding="utf-8", errors="replace")
                else:
                    from extractors.ingest import load_document

                    doc = load_document(p)
                    texts[path] = doc.text if doc.doc_id == doc_id else None
            except Exception:  # a moved or unreadable file: the curator fills the line in
                texts[path] = None
        return texts[path]

    def line(path: str, doc_id: str, start) -> str:
        text = text_of(path, doc_id) if path else None
        try:
            offset = int(start)
        except (TypeError, ValueError):
            return ""
        if text is None or not 0 <= offset <= len(text):
            return ""
        return str(text.count("\n", 0, offset) + 1)

    return line


def sheet_rows(mentions: list[dict], paths: dict[str, str], gold_keys: set[tuple]) -> list[dict]:
    """One sheet row per (document, triple, source): the first mention's evidence and offsets."""
    line_of = _line_finder()
    seen: set[tuple] = set()
    rows = []
    for m in sorted(mentions, key=lambda m: (m["doc_id"], int(m.get("start") or 0))):
        key = (m["doc_id"], m["mirna"], m["cancer"], m["effect"], m.get("source", ""))
        if key in seen:
            continue
        seen.add(key)
        rows.append({
            "doc_id": m["doc_id"], "mirna": m["mirna"], "cancer": m["cancer"], "effect": m["effect"],
            "source": m.get("source", ""), "evidence": " ".join(str(m.get("evidence", "")).split()),
            "line": line_of(paths.get(m["doc_id"], ""), m["doc_id"], m.get("start")),
            "start": m.get("start", ""), "end": m.get("end", ""), "rule": m.get("rule", ""),
            "hedged": "yes" if str(m.get("hedged")).lower() in {"1", "true", "yes"} else "",
            "in_gold": "yes" if key in gold_keys else "",
            "verdict": "", "mirna_fixed": "", "cancer_fixed": "", "effect_fixed": "", "optional": "", "note": "",
        })
    return rows


def write_sheet(path: Path, rows: list[dict]) -> None:
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        _write_xlsx(path, rows)
        return
    from mirkb.kb.export import spreadsheet_safe

    with open(path, "w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.DictWriter(handle, fieldnames=SHEET_COLUMNS)
        writer.writeheader()
        # A spreadsheet must not run evidence that begins with "=", "-", "+" or "@" as a formula;
        # read_sheet takes the apostrophe off again.
        writer.writerows({k: spreadsheet_safe(v) for k, v in row.items()} for row in rows)


def _write_xlsx(path: Path, rows: list[dict]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    from mirkb.kb.export import quote_formula_cells

    book = Workbook()
    sheet = book.active
    sheet.title = "review"
    sheet.append(list(SHEET_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(c, "") for c in SHEET_COLUMNS])
    quote_formula_cells(sheet)
    sheet.freeze_panes = "A2"
    letter = {c: chr(ord("A") + i) for i, c in enumerate(SHEET_COLUMNS)}
    sheet.column_dimensions[letter["evidence"]].width = 80
    for cell in sheet[letter["evidence"]][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    choice = DataValidation(type="list", formula1='"accepted,rejected,fixed"', allow_blank=True)
    sheet.add_data_validation(choice)
    choice.add(f"{letter['verdict']}2:{letter['verdict']}{max(2, len(rows) + 1)}")
    book.save(path)


def gold_keys(gold: Path) -> set[tuple]:
    """(doc_id, mirna, cancer, effect, source) of every gold row, optional or not."""
    if not Path(gold).exists():
        return set()
    rows, _ = load_gold(Path(gold))
    return {(r.doc_id, r.mirna, r.cancer, r.effect, r.source) for r in rows}


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    added: list[dict] = field(default_factory=list)  # gold rows written (or to write)
    accepted: int = 0
    fixed: int = 0
    rejected: int = 0
    unreviewed: int = 0
    already: int = 0
    rejected_in_gold: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_sheet(path: Path) -> list[tuple[int, dict]]:
    """(line in the sheet, row) for each non-empty data row; the header is line 1."""
    path = Path(path)
    if not path.is_file():
        raise SheetError(f"review sheet not found: {path}")
    if path.suffix.lower() == ".xlsx":
        header, records = _read_xlsx(path)
    elif path.suffix.lower() in {".csv", ".tsv"}:
        header, records = _read_csv(path, "\t" if path.suffix.lower() == ".tsv" else ",")
    else:
        raise SheetError(f"{path}: a review sheet is .csv, .tsv or .xlsx")
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SheetError(f"{path}: missing column(s) {', '.join(missing)} (export one with `mirkb review export`)")
    from mirkb.kb.export import unguard

    out = []
    for line, values in records:
        row = {name: ("" if i >= len(values) or values[i] is None else unguard(str(values[i])).strip())
               for i, name in enumerate(header)}
        if any(row.values()):
            out.append((line, row))
    return out


def _read_csv(path: Path, sep: str) -> tuple[list[str], list[tuple[int, list]]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=sep)
            header = [h.strip() for h in next(reader, [])]
            records = []
            while True:
                line = reader.line_num + 1  # where this record starts (evidence may hold newlines)
                try:
                    values = next(reader)
                except StopIteration:
                    break
                records.append((line, values))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SheetError(f"cannot read {path}: {exc}") from exc
    return header, records


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for "not a workbook"
        raise SheetError(f"cannot read {path}: {exc}") from exc
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    if not rows:
        return [], []
    header = ["" if h is None else str(h).strip() for h in rows[0]]
    return header, [(i, list(values)) for i, values in enumerate(rows[1:], start=2)]


def _canonical_mirna(text: str) -> str | None:
    from mirkb.goldcheck import CANONICAL_MIRNA

    if CANONICAL_MIRNA.match(text):
        return text
    from extractors.mirna import normalize_mirna

    name = normalize_mirna(text)
    return name if name and CANONICAL_MIRNA.match(name) else None


def import_sheet(path: Path, gold: Path, *, dry_run: bool = False) -> ImportResult:
    """Check every row of the sheet; when all are good (and not ``dry_run``), append the new gold rows."""
    from mirkb.goldcheck import canonical_cancers

    cancers = canonical_cancers()
    existing = gold_keys(gold)
    result = ImportResult()
    planned: set[tuple] = set()
    name = Path(path).name
    for line, row in read_sheet(path):
        def bad(message: str, line=line) -> None:
            result.problems.append(f"{name}:{line}: {message}")

        raw = row.get("verdict", "").lower()
        if not raw:
            result.unreviewed += 1
            continue
        verdict = VERDICTS.get(raw)
        if verdict is None:
            bad(f"verdict {row['verdict']!r} is not accepted, rejected or fixed")
            continue
        doc_id = row["doc_id"]
        if not doc_id or re.search(r"[/\\]", doc_id) or doc_id.startswith("."):
            bad(f"doc_id {doc_id!r} cannot name a gold file")
            continue
        key = (doc_id, row["mirna"], row["cancer"], row["effect"], row["source"])
        if verdict == "rejected":
            result.rejected += 1
            if key in existing:
                result.rejected_in_gold.append(f"{name}:{line}: {' | '.join(key)} is in the gold; left as is")
            continue
        mirna, cancer, effect = row["mirna"], row["cancer"], row["effect"]
        if verdict == "fixed":
            fixes = {c: row.get(f"{c}_fixed", "") for c in ("mirna", "cancer", "effect")}
            if not any(fixes.values()):
                bad("verdict fixed, but no mirna_fixed, cancer_fixed or effect_fixed given")
                continue
            mirna, cancer, effect = fixes["mirna"] or mirna, fixes["cancer"] or cancer, fixes["effect"] or effect
        canonical = _canonical_mirna(mirna)
        problems = []
        if canonical is None:
            problems.append(f"miRNA {mirna!r} is not a miRNA name (TRIPLES.md §2)")
        if cancer not in cancers:
            problems.append(f"cancer {cancer!r} is not a canonical cancer name (TRIPLES.md §3)")
        if effect not in EFFECTS:
            problems.append(f"effect {effect!r} is not in the §4 vocabulary")
        if row["source"] not in SOURCES:
            problems.append(f"source {row['source']!r} must be text or table")
        optional = row.get("optional", "").strip() or "0"
        if optional not in {"0", "1"}:
            problems.append(f"optional {optional!r} must be 0 or 1 (empty = 0)")
        try:
            line_no = int(float(row["line"]))
            if line_no < 1:
                raise ValueError
        except ValueError:
            problems.append(f"line {row['line']!r} must be the 1-based line of the evidence in the document")
            line_no = 0
        if problems:
            for problem in problems:
                bad(problem)
            continue
        gold_key = (doc_id, canonical, cancer, effect, row["source"])
        if gold_key in existing or gold_key in planned:
            result.already += 1
            continue
        planned.add(gold_key)
        result.accepted += verdict == "accepted"
        result.fixed += verdict == "fixed"
        result.added.append({
            "doc_id": doc_id, "mirna": canonical, "cancer": cancer, "effect": effect, "source": row["source"],
            "optional": optional, "evidence": " ".join(row["evidence"].split()), "line": str(line_no),
        })
    if result.ok and not dry_run:
        append_gold(Path(gold), result.added)
    return result


def append_gold(gold: Path, rows: list[dict]) -> None:
    """Append rows to ``gold/<doc_id>.tsv`` (created with the §6 header when new)."""
    gold.mkdir(parents=True, exist_ok=True)
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    for doc_id, doc_rows in by_doc.items():
        path = gold / f"{doc_id}.tsv"
        new = not path.exists() or not path.read_text(encoding="utf-8").strip()
        needs_newline = not new and not path.read_text(encoding="utf-8").endswith("\n")
        with open(path, "a", encoding="utf-8", newline="") as handle:
            if new:
                handle.write("\t".join(GOLD_COLUMNS) + "\n")
            elif needs_newline:
                handle.write("\n")
            for row in doc_rows:
                handle.write("\t".join(str(row[c]).replace("\t", " ") for c in GOLD_COLUMNS) + "\n")
