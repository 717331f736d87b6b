"""``mirkb kb export``: the knowledge base in the formats curators and text-mining tools read.

Every writer takes the rows of :meth:`KnowledgeBase.export_rows` (one per mention, with its
triple, support and document identifiers):

* ``csv`` (UTF-8 with a BOM, so Excel reads accents and Greek letters), ``tsv``, ``parquet``;
* ``xlsx`` (openpyxl): a ``triples`` sheet (one row per triple) and an ``evidence`` sheet;
* ``csv`` and ``xlsx`` are meant for spreadsheets, so they are guarded against formula injection
  (:func:`spreadsheet_safe`, :func:`quote_formula_cells`); ``tsv``, ``parquet`` and the other
  formats are for tools and keep every value as it is;
* ``hmdd``: one row per triple and document, as HMDD/miRCancer list them;
* ``bioc`` (BioC JSON, with the ``bioc`` package) and ``pubtator``: each evidence is a passage
  with the miRNA and cancer annotated at their offsets and the effect as a relation between them.

The knowledge base keeps evidence, not whole articles, so in BioC and PubTator a document's text
is its evidence: each BioC passage sits at the evidence's offset in the article; the PubTator
"abstract" is the evidence sentences joined by spaces. Offsets always agree with the text written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FORMATS = ("csv", "tsv", "xlsx", "parquet", "bioc", "pubtator", "hmdd")

#: Suffix → format, longest first so "x.hmdd.tsv" is hmdd and "x.pubtator.txt" pubtator.
SUFFIXES = (
    (".hmdd.tsv", "hmdd"), (".pubtator.txt", "pubtator"), (".bioc.json", "bioc"), (".pubtator", "pubtator"),
    (".csv", "csv"), (".tsv", "tsv"), (".xlsx", "xlsx"), (".parquet", "parquet"), (".json", "bioc"),
)

HMDD_COLUMNS = ("miRNA", "accession", "disease", "DOID", "effect", "PMID", "evidence", "doc_id", "source", "hedged")
TRIPLE_COLUMNS = ("triple_id", "mirna", "mirna_id", "cancer", "cancer_id", "effect", "n_documents", "n_mentions",
                  "documents", "pmids", "hedged_mentions", "sources")


#: What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection"): evidence quoted from
#: a paper may well begin with "-" or "+", and a crafted document could plant "=HYPERLINK(…)".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a formula
    (what OWASP recommends for CSV); anything else unchanged. :func:`unguard` undoes it."""
    if isinstance(value, str) and (value.startswith(FORMULA_TRIGGERS)
                                   or value[:1] == "'" and value[1:2] in FORMULA_TRIGGERS and value[1:2]):
        return "'" + value  # the second case keeps unguard exact for text that began "'-" already
    return value


def unguard(value):
    """A cell as it was before :func:`spreadsheet_safe`: how mirkb reads back its own CSV sheets."""
    if isinstance(value, str) and value[:1] == "'" and spreadsheet_safe(value[1:]) == value:
        return value[1:]
    return value


def quote_formula_cells(sheet, min_row: int = 2) -> None:
    """XLSX: every text cell a spreadsheet would run as a formula is stored as text with Excel's
    quote prefix (the leading apostrophe as Excel itself keeps it: shown in the formula bar, not in
    the cell), so the value read back by openpyxl or pandas is exactly the text written."""
    for line in sheet.iter_rows(min_row=min_row):
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                cell.data_type = "s"
                cell.quotePrefix = True


class ExportError(ValueError):
    """An export that cannot be written as asked (unknown format, missing library)."""


def infer_format(out: str | Path) -> str | None:
    name = str(out).lower()
    return next((fmt for suffix, fmt in SUFFIXES if name.endswith(suffix)), None)


def write(rows: list[dict], out: Path, fmt: str, columns: Iterable[str]) -> None:
    writers = {"csv": write_csv, "tsv": write_tsv, "xlsx": write_xlsx, "parquet": write_parquet,
               "bioc": write_bioc, "pubtator": write_pubtator, "hmdd": write_hmdd}
    if fmt not in writers:
        raise ExportError(f"unknown format {fmt!r}; one of: {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    writers[fmt](rows, out, list(columns))


# -- tables ---------------------------------------------------------------------------------------


def _frame(rows: list[dict], columns: list[str]):
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    for col in columns:
        # offsets that may be unknown stay whole numbers ("12", not "12.0"), with an empty cell when unknown
        if col.endswith(("_start", "_end")):
            frame[col] = frame[col].astype("Int64")
    return frame


def write_csv(rows, out, columns) -> None:
    # The BOM is how Excel knows the file is UTF-8 ("α", "–" and "≥" otherwise come out garbled);
    # pandas and the csv module read it transparently.
    frame = _frame(rows, columns)
    from pandas.api.types import is_bool_dtype, is_numeric_dtype

    for col in frame.columns:
        if not (is_numeric_dtype(frame[col]) or is_bool_dtype(frame[col])):
            frame[col] = frame[col].map(spreadsheet_safe)
    frame.to_csv(out, index=False, encoding="utf-8-sig")


def write_tsv(rows, out, columns) -> None:
    _frame(rows, columns).to_csv(out, index=False, sep="\t", encoding="utf-8")


def write_parquet(rows, out, columns) -> None:
    try:
        _frame(rows, columns).to_parquet(out, index=False)
    except ImportError as exc:
        # A broken pyarrow install (e.g. built for another NumPy) should read as such, not as a bug.
        raise ExportError(f"cannot write Parquet: {exc.__cause__ or exc}; write CSV instead (--out FILE.csv) "
                          "or repair pyarrow") from exc


def triple_rows(rows: list[dict]) -> list[dict]:
    """One row per triple: support, every supporting document and PMID, how much of it is hedged."""
    out: dict[str, dict] = {}
    for r in rows:
        t = out.setdefault(r["triple_id"], {
            "triple_id": r["triple_id"], "mirna": r["mirna"], "mirna_id": r.get("mirna_id") or "",
            "cancer": r["cancer"], "cancer_id": r["cancer_id"], "effect": r["effect"], "docs": {},
            "pmid_set": {}, "n_mentions": 0, "hedged_mentions": 0, "source_set": {},
        })
        t["mirna_id"] = t["mirna_id"] or r.get("mirna_id") or ""
        t["docs"][r["doc_id"]] = None
        if r.get("pmid"):
            t["pmid_set"][r["pmid"]] = None
        t["source_set"][r["source"]] = None
        t["n_mentions"] += 1
        t["hedged_mentions"] += bool(r["hedged"])
    result = []
    for t in out.values():
        result.append({**{k: v for k, v in t.items() if k not in ("docs", "pmid_set", "source_set")},
                       "n_documents": len(t["docs"]), "documents": ";".join(sorted(t["docs"])),
                       "pmids": ";".join(sorted(t["pmid_set"])), "sources": ";".join(sorted(t["source_set"]))})
    return sorted(result, key=lambda t: (-t["n_documents"], -t["n_mentions"], t["mirna"], t["cancer"], t["effect"]))


def write_xlsx(rows, out, columns) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.utils import get_column_letter
    except ImportError as exc:
        raise ExportError(f"cannot write XLSX: {exc}") from exc

    book = Workbook()
    sheets = [(book.active, "triples", TRIPLE_COLUMNS, triple_rows(rows)), (None, "evidence", columns, rows)]
    for sheet, title, cols, data in sheets:
        sheet = sheet or book.create_sheet()
        sheet.title = title
        sheet.append(list(cols))
        for row in data:
            sheet.append([_cell(row.get(c), ILLEGAL_CHARACTERS_RE) for c in cols])
        quote_formula_cells(sheet)  # these cells hold text only
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        for i, c in enumerate(cols, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = 80 if c in ("evidence", "title") else \
                max(10, min(40, len(c) + 4))
    book.save(out)


def _cell(value, illegal):
    if value is None:
        return None
    if isinstance(value, str):
        # XLSX cannot hold control characters (PDF text sometimes has them); a space keeps offsets.
        return illegal.sub(" ", value)
    return value


def write_hmdd(rows, out, columns) -> None:
    """One row per (triple, document), as HMDD and miRCancer list associations: the first evidence."""
    seen: dict[tuple[str, str], dict] = {}
    for r in rows:
        seen.setdefault((r["triple_id"], r["doc_id"]), r)
    lines = ["\t".join(HMDD_COLUMNS)]
    for r in sorted(seen.values(), key=lambda r: (r["mirna"], r["cancer"], r["effect"], r["doc_id"])):
        lines.append("\t".join(_flat(v) for v in (
            r["mirna"], r.get("mirna_id") or "", r["cancer"], r["cancer_id"] or "", r["effect"],
            r.get("pmid") or "", r["evidence"], r["doc_id"], r["source"], "yes" if r["hedged"] else "no")))
    Path(out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _flat(value) -> str:
    """A TSV field without quoting: tabs and line breaks become spaces."""
    return re.sub(r"[\t\r\n]", " ", str(value))


# -- mentions at their offsets (BioC, PubTator) ---------------------------------------------------


@dataclass(frozen=True)
class Located:
    kind: str  # "miRNA" or "Disease"
    start: int  # in the evidence
    end: int
    name: str  # canonical name
    identifier: str  # MIMAT accession / DOID, else the canonical name


def locate(row: dict) -> tuple[Located | None, Located | None]:
    """Where the miRNA and the cancer of a mention are in its evidence.

    Stored offsets are used when the extractor gave them; otherwise the names are found again
    with the extractor's own recognisers (a knowledge base written before offsets were stored).
    """
    ev = row["evidence"]
    mirna_id = row.get("mirna_id") or row["mirna"]
    cancer_id = row.get("cancer_id") or row["cancer"]
    mir = _stored(row, "mirna") or _find_mirna(ev, row["mirna"])
    can = _stored(row, "cancer") or _find_cancer(ev, row["cancer"])
    return (Located("miRNA", *mir, row["mirna"], mirna_id) if mir else None,
            Located("Disease", *can, row["cancer"], cancer_id) if can else None)


def _stored(row: dict, kind: str) -> tuple[int, int] | None:
    a, b = row.get(f"{kind}_start"), row.get(f"{kind}_end")
    if a is None or b is None or a != a or b != b:  # None or NaN (pandas)
        return None
    a, b = int(a), int(b)
    return (a, b) if 0 <= a < b <= len(row["evidence"]) else None


def _find_mirna(evidence: str, name: str) -> tuple[int, int] | None:
    from extractors.mirna import find_mirnas

    for m in find_mirnas(evidence):
        if name in m.names:
            return m.start, m.end
    return None


@lru_cache(maxsize=1)
def _cancer_forms() -> dict[str, list[str]]:
    """canonical name → its written forms in the lexicon, longest first."""
    from extractors.cancer import load_lexicon

    lex = load_lexicon()
    forms: dict[str, set[str]] = {}
    for table in (lex.words, lex.abbreviations, lex.cell_lines):
        for alias, concept in table.items():
            forms.setdefault(concept.canonical, set()).add(alias)
    return {k: sorted(v, key=len, reverse=True) for k, v in forms.items()}


def _find_cancer(evidence: str, name: str) -> tuple[int, int] | None:
    for form in [*_cancer_forms().get(name, []), name]:
        flags = 0 if form.isupper() or any(c.isdigit() for c in form) else re.IGNORECASE
        m = re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", evidence, flags)
        if m:
            return m.start(), m.end()
    return None


def _doc_key(row: dict) -> str:
    return row.get("pmid") or row["doc_id"]


def _by_document(rows: list[dict]) -> dict[str, list[dict]]:
    docs: dict[str, list[dict]] = {}
    for r in rows:
        docs.setdefault(r["doc_id"], []).append(r)
    return docs


def _evidences(rows: list[dict]) -> dict[tuple[int, int, str], list[dict]]:
    """One entry per distinct evidence of a document (several triples may share a sentence)."""
    out: dict[tuple[int, int, str], list[dict]] = {}
    for r in sorted(rows, key=lambda r: (r["start"], r["end"])):
        out.setdefault((int(r["start"]), int(r["end"]), r["evidence"]), []).append(r)
    return out


def write_bioc(rows, out, columns) -> None:
    import bioc
    from bioc import biocjson

    collection = bioc.BioCCollection()
    collection.source = "mirkb"
    collection.key = "mirkb.key"
    for doc_rows in _by_document(rows).values():
        first = doc_rows[0]
        document = bioc.BioCDocument()
        document.id = _doc_key(first)
        document.infons.update({k: str(first.get(k) or "") for k in ("doc_id", "pmid", "pmcid", "doi", "title")})
        n_ann = n_rel = 0
        for (start, _end, text), ev_rows in _evidences(doc_rows).items():
            passage = bioc.BioCPassage()
            passage.offset = start
            passage.text = text
            passage.infons["type"] = ev_rows[0].get("passage") or ev_rows[0]["source"]
            passage.infons["source"] = ev_rows[0]["source"]
            ids: dict[Located, str] = {}
            for r in ev_rows:
                found = locate(r)
                for loc in found:
                    if loc is None or loc in ids:
                        continue
                    n_ann += 1
                    ann = bioc.BioCAnnotation()
                    ann.id = f"A{n_ann}"
                    ann.text = text[loc.start:loc.end]
                    ann.infons.update({"type": loc.kind, "identifier": loc.identifier, "name": loc.name})
                    ann.add_location(bioc.BioCLocation(start + loc.start, loc.end - loc.start))
                    passage.add_annotation(ann)
                    ids[loc] = ann.id
                mir, can = found
                if mir is None or can is None:
                    continue
                n_rel += 1
                rel = bioc.BioCRelation()
                rel.id = f"R{n_rel}"
                rel.infons.update({"type": r["effect"], "hedged": str(bool(r["hedged"])).lower(),
                                   "rule": r.get("rule") or "", "triple_id": r["triple_id"]})
                rel.add_node(bioc.BioCNode(ids[mir], "miRNA"))
                rel.add_node(bioc.BioCNode(ids[can], "Disease"))
                passage.add_relation(rel)
            document.add_passage(passage)
        collection.add_document(document)
    with open(out, "w", encoding="utf-8") as fh:
        biocjson.dump(collection, fh, indent=2)


def write_pubtator(rows, out, columns) -> None:
    """PubTator: ``ID|t|title``, ``ID|a|evidence…``, then mention lines and relation lines."""
    blocks = []
    for _doc_id, doc_rows in _by_document(rows).items():
        first = doc_rows[0]
        key = _flat(_doc_key(first)).replace("|", "/")
        title = _flat(first.get("title") or first["doc_id"])
        parts, offset, lines, relations = [], len(title) + 1, [], {}
        for (_s, _e, text), ev_rows in _evidences(doc_rows).items():
            text = _flat(text)
            seen = set()
            for r in ev_rows:
                mir, can = locate(r)
                for loc in (mir, can):
                    if loc is None or loc in seen:
                        continue
                    seen.add(loc)
                    lines.append(f"{key}\t{offset + loc.start}\t{offset + loc.end}\t{text[loc.start:loc.end]}\t"
                                 f"{loc.kind}\t{_flat(loc.identifier)}")
                if mir and can:
                    relations[(r["effect"], mir.identifier, can.identifier)] = None
            parts.append(text)
            offset += len(text) + 1
        block = [f"{key}|t|{title}", f"{key}|a|{' '.join(parts)}", *lines]
        block += [f"{key}\t{effect}\t{_flat(a)}\t{_flat(b)}" for effect, a, b in relations]
        blocks.append("\n".join(block) + "\n")
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(blocks))
