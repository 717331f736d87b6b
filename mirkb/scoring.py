"""Score extracted triples against the hand-curated gold, exactly as TRIPLES.md §7 says.

Per document, with S the unique predicted triples, G the unique non-optional gold triples and O
the optional ones: TP = S ∩ G, FP = S − G − O, FN = G − S. Precision, recall and F1 are given per
document and micro-averaged (counts summed over documents before dividing). Three levels:

- ``strict``: ``(mirna, cancer, effect)`` all equal;
- ``pair``: ``(mirna, cancer)``, the effect ignored (sets of unique pairs);
- ``arm_lenient``: as strict after dropping a trailing ``-5p``/``-3p`` from the miRNA on both
  sides, so ``miR-21-5p`` matches ``miR-21``.

and three sources: ``text``, ``table`` (both sides filtered to that source) and ``all`` (both
merged, so a triple found in the text and curated from a table still matches).

Worked example: gold says ``miR-21 | glioma | upregulated`` (non-optional) and
``miR-21 | glioma | prognostic_marker`` (optional); a prediction of both plus
``miR-21 | glioma | promotes_growth`` gives, strictly, TP 1, FP 1, FN 0 — the optional triple is
neither rewarded nor punished — and, at pair level, TP 1 (one pair), FP 0, FN 0.

This module deliberately imports nothing from ``extractors``: it judges them, so it must not share
their code (their vocabulary is copied below from the contract instead).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: TRIPLES.md §4, copied rather than imported (see the module docstring).
EFFECTS: tuple[str, ...] = (
    "upregulated",
    "downregulated",
    "promotes_growth",
    "promotes_metastasis",
    "promotes_angiogenesis",
    "modulates_microenvironment",
    "drug_resistance",
    "drug_sensitivity",
    "suppresses_tumor",
    "diagnostic_marker",
    "prognostic_marker",
)

#: TRIPLES.md §6, in order.
GOLD_COLUMNS: tuple[str, ...] = ("doc_id", "mirna", "cancer", "effect", "source", "optional", "evidence", "line")

#: The prediction columns the scorer needs; the rest of §5 is carried along when present.
PREDICTION_COLUMNS: tuple[str, ...] = ("doc_id", "mirna", "cancer", "effect", "source")

SOURCES: tuple[str, ...] = ("text", "table")
SCOPES: tuple[str, ...] = ("text", "table", "all")
LEVELS: tuple[str, ...] = ("strict", "pair", "arm_lenient")

_ARM = re.compile(r"-[35]p$")
_TRUE = {"1", "true", "yes"}
_FALSE = {"0", "false", "no", ""}


class ScoringInputError(ValueError):
    """A predictions or gold file that cannot be read as the contract describes."""


@dataclass(frozen=True)
class Row:
    """One predicted mention or one gold row, reduced to what scoring and error analysis need.

    ``line`` is the gold row's line in the document text (0 for predictions); ``start`` the
    prediction's character offset (-1 for gold); ``where`` the file and line it was read from.
    """

    doc_id: str
    mirna: str
    cancer: str
    effect: str
    source: str
    evidence: str = ""
    optional: bool = False
    line: int = 0
    start: int = -1
    where: str = ""


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    # 0/0 is reported as 0 rather than undefined: the counts printed beside it say why.
    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "p": round(self.p, 4),
            "r": round(self.r, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True)
class Finding:
    """A false positive or false negative with the evidence a person needs to judge it.

    ``key`` is the compared tuple at its level (``(mirna, cancer)`` at pair level); ``row`` is the
    first row that produced it: the first predicted mention for a FP, the gold row for a FN.
    """

    doc_id: str
    key: tuple[str, ...]
    row: Row
    sources: tuple[str, ...]


@dataclass
class LevelResult:
    micro: Counts = field(default_factory=Counts)
    documents: dict[str, Counts] = field(default_factory=dict)
    false_positives: list[Finding] = field(default_factory=list)
    false_negatives: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "micro": self.micro.to_dict(),
            "documents": {doc: counts.to_dict() for doc, counts in self.documents.items()},
        }


@dataclass
class Evaluation:
    """Everything one scoring run found; ``results[(level, scope)]`` holds each table."""

    results: dict[tuple[str, str], LevelResult]
    per_effect: dict[str, Counts]
    documents: list[str]
    #: Predicted documents that were not counted (no gold and not asked for), with their
    #: number of unique strict triples, so they are visible rather than silently dropped.
    unscored: dict[str, int]
    n_predicted_rows: int = 0
    n_gold_rows: int = 0
    n_gold_optional: int = 0

    def result(self, level: str, scope: str) -> LevelResult:
        return self.results[(level, scope)]

    def to_dict(self, scopes: Iterable[str] = SCOPES) -> dict:
        scopes = tuple(scopes)
        out: dict = {
            level: {scope: self.results[(level, scope)].to_dict() for scope in scopes} for level in LEVELS
        }
        out["per_effect"] = {effect: counts.to_dict() for effect, counts in self.per_effect.items()}
        out["documents"] = list(self.documents)
        out["unscored_documents"] = dict(self.unscored)
        out["rows"] = {
            "predicted": self.n_predicted_rows,
            "gold": self.n_gold_rows,
            "gold_optional": self.n_gold_optional,
        }
        return out


# --------------------------------------------------------------------------- reading


def parse_optional(value: str) -> bool:
    """``1``/``0`` per §6; ``true``/``false`` and an empty cell (= 0) are forgiven."""
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"optional must be 0 or 1, not {value!r}")


def read_tsv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and ``(file line, fields)`` of each non-blank row of a tab-separated file.

    Quotes are not special: evidence is quoted from papers and may hold a lone ``"``. An empty
    file gives an empty header.
    """
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header: list[str] = []
        rows: list[tuple[int, list[str]]] = []
        for fields in reader:
            if not any(cell.strip() for cell in fields):
                continue
            if not header:
                header = [cell.strip() for cell in fields]
            else:
                rows.append((reader.line_num, fields))
    return header, rows


def gold_files(gold: Path) -> list[Path]:
    """The gold TSVs of a folder (top level only: gold/parts/ holds drafts) or the one file given."""
    gold = Path(gold)
    if gold.is_dir():
        return sorted(gold.glob("*.tsv"))
    if gold.is_file():
        return [gold]
    raise ScoringInputError(f"gold not found: {gold}")


def load_gold(gold: Path) -> tuple[list[Row], list[str]]:
    """Gold rows and the gold documents from a folder of §6 TSVs or a single TSV.

    A file with a header and no rows still names a document (its stem): a paper with no triples
    is a real gold answer, and any prediction in it is a false positive.
    """
    rows: list[Row] = []
    docs: list[str] = []
    for path in gold_files(gold):
        try:
            header, records = read_tsv(path)
        except (OSError, UnicodeDecodeError) as exc:
            raise ScoringInputError(f"cannot read gold file {path}: {exc}") from exc
        if not header:
            docs.append(path.stem)
            continue
        missing = [c for c in GOLD_COLUMNS if c not in header and c != "evidence"]
        if missing:
            raise ScoringInputError(f"{path}: missing gold column(s) {', '.join(missing)}")
        index = {name: i for i, name in enumerate(header)}
        file_docs = []
        for lineno, fields in records:
            record = {name: (fields[i].strip() if i < len(fields) else "") for name, i in index.items()}
            try:
                optional = parse_optional(record["optional"])
                line = int(record["line"]) if record["line"] else 0
            except ValueError as exc:
                raise ScoringInputError(f"{path}:{lineno}: {exc}") from exc
            doc_id = record["doc_id"] or path.stem
            rows.append(
                Row(
                    doc_id=doc_id,
                    mirna=record["mirna"],
                    cancer=record["cancer"],
                    effect=record["effect"],
                    source=record["source"],
                    evidence=record.get("evidence", ""),
                    optional=optional,
                    line=line,
                    where=f"{path.name}:{lineno}",
                )
            )
            file_docs.append(doc_id)
        docs.extend(file_docs or [path.stem])
    return rows, list(dict.fromkeys(docs))


def load_predictions(path: Path) -> list[Row]:
    """Predicted mentions from a §5 CSV, TSV or Parquet file (by suffix); extra columns are ignored.

    An empty file (no bytes, or a header only) is a valid run that found nothing.
    """
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise ScoringInputError(f"predictions file not found: {path}")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            frame = pd.read_parquet(path)
        elif path.stat().st_size == 0:
            return []
        else:
            # a .tsv (e.g. a gold file scored against itself) is tab-separated; anything else is CSV
            sep = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, quoting=3 if sep == "\t" else 0)
    except Exception as exc:  # pandas and pyarrow raise many types for one meaning: unreadable
        raise ScoringInputError(f"cannot read predictions {path}: {exc}") from exc
    missing = [c for c in PREDICTION_COLUMNS if c not in frame.columns]
    if missing:
        raise ScoringInputError(f"{path}: missing prediction column(s) {', '.join(missing)}")
    rows = []
    for i, record in enumerate(frame.to_dict("records")):
        start = record.get("start", -1)
        try:
            start = int(start)
        except (TypeError, ValueError):
            start = -1
        rows.append(
            Row(
                doc_id=_text(record["doc_id"]),
                mirna=_text(record["mirna"]),
                cancer=_text(record["cancer"]),
                effect=_text(record["effect"]),
                source=_text(record["source"]),
                evidence=_text(record.get("evidence", "")),
                start=start,
                where=f"{path.name}:{i + 2}",
            )
        )
    return rows


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):  # NaN from Parquet nulls
        return ""
    return str(value).strip()


# --------------------------------------------------------------------------- scoring


def strip_arm(mirna: str) -> str:
    """``miR-21-5p`` → ``miR-21``; names without an arm are unchanged."""
    return _ARM.sub("", mirna)


def key_of(row: Row, level: str) -> tuple[str, ...]:
    if level == "strict":
        return (row.mirna, row.cancer, row.effect)
    if level == "pair":
        return (row.mirna, row.cancer)
    if level == "arm_lenient":
        return (strip_arm(row.mirna), row.cancer, row.effect)
    raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def _in_scope(row: Row, scope: str) -> bool:
    return scope == "all" or row.source == scope


def _first_rows(rows: Iterable[Row], level: str) -> dict[tuple[str, ...], list[Row]]:
    """Rows grouped by key, in file order (the first is the one shown in error analysis)."""
    grouped: dict[tuple[str, ...], list[Row]] = {}
    for row in rows:
        grouped.setdefault(key_of(row, level), []).append(row)
    return grouped


def score_document(
    doc_id: str, predicted: list[Row], gold: list[Row], level: str, scope: str
) -> tuple[Counts, list[Finding], list[Finding]]:
    """§7 for one document at one level and source scope."""
    pred = _first_rows((r for r in predicted if _in_scope(r, scope)), level)
    gold_in = [r for r in gold if _in_scope(r, scope)]
    required = _first_rows((r for r in gold_in if not r.optional), level)
    # A key is optional only if no non-optional row gives it: at pair level one optional effect
    # must not excuse a pair that is also required through another effect, and vice versa.
    optional = set(_first_rows((r for r in gold_in if r.optional), level)) - set(required)
    tp = set(pred) & set(required)
    fps = [k for k in pred if k not in required and k not in optional]
    fns = [k for k in required if k not in pred]
    counts = Counts(tp=len(tp), fp=len(fps), fn=len(fns))

    def finding(key, rows):
        return Finding(doc_id, key, rows[0], tuple(sorted({r.source for r in rows})))

    return counts, [finding(k, pred[k]) for k in fps], [finding(k, required[k]) for k in fns]


def score(
    predictions: list[Row],
    gold: list[Row],
    gold_docs: Iterable[str] | None = None,
    *,
    docs: Iterable[str] | None = None,
    all_predicted: bool = False,
) -> Evaluation:
    """Score ``predictions`` against ``gold`` (rows from :func:`load_predictions`/:func:`load_gold`).

    Which documents count: ``docs`` when given (e.g. every document of a dev set, so a prediction
    in a document with no gold triple is a false positive); otherwise the gold documents
    (``gold_docs``, default: those with a gold row), plus every predicted document when
    ``all_predicted``. Predicted documents left out are listed in ``Evaluation.unscored``.
    """
    gold_doc_list = list(dict.fromkeys(gold_docs if gold_docs is not None else (r.doc_id for r in gold)))
    pred_doc_list = list(dict.fromkeys(r.doc_id for r in predictions))
    if docs is not None:
        counted = list(dict.fromkeys(docs))
    elif all_predicted:
        counted = list(dict.fromkeys(gold_doc_list + pred_doc_list))
    else:
        counted = gold_doc_list
    counted_set = set(counted)

    pred_by_doc: dict[str, list[Row]] = {}
    for row in predictions:
        pred_by_doc.setdefault(row.doc_id, []).append(row)
    gold_by_doc: dict[str, list[Row]] = {}
    for row in gold:
        gold_by_doc.setdefault(row.doc_id, []).append(row)

    results: dict[tuple[str, str], LevelResult] = {}
    for level in LEVELS:
        for scope in SCOPES:
            result = LevelResult()
            for doc in counted:
                counts, fps, fns = score_document(
                    doc, pred_by_doc.get(doc, []), gold_by_doc.get(doc, []), level, scope
                )
                result.documents[doc] = counts
                result.micro.add(counts)
                result.false_positives.extend(fps)
                result.false_negatives.extend(fns)
            results[(level, scope)] = result

    strict_all = results[("strict", "all")]
    per_effect: dict[str, Counts] = {effect: Counts() for effect in EFFECTS}
    for doc in counted:
        pred_keys = set(_first_rows(pred_by_doc.get(doc, []), "strict"))
        required = set(_first_rows((r for r in gold_by_doc.get(doc, []) if not r.optional), "strict"))
        for key in pred_keys & required:
            per_effect.setdefault(key[2], Counts()).tp += 1
    for finding in strict_all.false_positives:
        per_effect.setdefault(finding.key[2], Counts()).fp += 1
    for finding in strict_all.false_negatives:
        per_effect.setdefault(finding.key[2], Counts()).fn += 1

    unscored = {
        doc: len(set(_first_rows(pred_by_doc[doc], "strict"))) for doc in pred_doc_list if doc not in counted_set
    }
    return Evaluation(
        results=results,
        per_effect=per_effect,
        documents=counted,
        unscored=unscored,
        n_predicted_rows=sum(len(pred_by_doc.get(d, [])) for d in counted),
        n_gold_rows=sum(1 for r in gold if r.doc_id in counted_set and not r.optional),
        n_gold_optional=sum(1 for r in gold if r.doc_id in counted_set and r.optional),
    )


def evaluate_files(
    pred_path: Path, gold_path: Path, *, docs: Iterable[str] | None = None, all_predicted: bool = False
) -> Evaluation:
    """Load both files and score them; see :func:`score` for which documents count."""
    gold_rows, gold_docs = load_gold(gold_path)
    return score(load_predictions(pred_path), gold_rows, gold_docs, docs=docs, all_predicted=all_predicted)
